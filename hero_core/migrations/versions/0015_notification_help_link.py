"""notifications.help_request_id: a notification about a call for help links to it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 22:10:00

Help notifications (a new request for an e-coach, an answer for the asker, "your answer solved it") had no idea
to link to, so the inbox could not open them; they now name their help request.
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('help_request_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_notifications_help_request_id_help_requests'), 'help_requests',
                                 ['help_request_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('notifications') as batch:
        batch.drop_constraint(op.f('fk_notifications_help_request_id_help_requests'), type_='foreignkey')
        batch.drop_column('help_request_id')
