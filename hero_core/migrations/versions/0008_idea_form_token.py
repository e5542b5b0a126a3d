"""ideas.form_token: one proposal form makes at most one idea

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 18:35:00

- ideas.form_token: a random token the "Propose an idea" form holds for as long as it shows one proposal. The
  service creates an idea for a token once; a second save or submit with the same token (a double click, an
  autosave racing a click) finds that idea instead of creating another (hero_core/services/ideas.py create_idea).
  Unique per submitter, so the database refuses a double even if two requests race.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_token', sa.String(length=64), nullable=True))
        batch_op.create_index('ux_ideas_submitter_form_token', ['submitter_id', 'form_token'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ux_ideas_submitter_form_token')
        batch_op.drop_column('form_token')
