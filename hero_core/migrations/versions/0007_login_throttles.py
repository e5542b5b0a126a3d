"""login_throttles: failed log-ins counted per client, so a stranger slows down only themself

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 18:30:00

- login_throttles: one row per client (a hash of its address, or of its browser session when no address is
  known), per account-and-client (the last successful log-in, so the owner's own client is not held by the
  account lock), and per person's password-change form. Kept in the database so every app server sees the
  same counts; a row is deleted once its expires_at has passed (hero_core/services/login_throttle.py).
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_expires_at'))
    op.drop_table('login_throttles')
