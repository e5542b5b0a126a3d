"""review_rounds: which review round each risk assessment belongs to

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 18:00:00

- ideas.review_round: counts the times the idea was sent for review (submit and every resubmit).
- risk_assessments.review_round: the idea's round when the assessment was made. Within one round the highest
  risk band assessed governs how many approvers the idea needs (hero_core/risk.py approvals_needed), so a
  first approver cannot lower the ratings and approve a high-risk idea alone.
Existing rows get round 0 on both sides: every earlier assessment counts in the idea's current round, which can
only ask for more approvers, never fewer.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ideas') as batch:
        batch.add_column(sa.Column('review_round', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('risk_assessments') as batch:
        batch.add_column(sa.Column('review_round', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('risk_assessments') as batch:
        batch.drop_column('review_round')
    with op.batch_alter_table('ideas') as batch:
        batch.drop_column('review_round')
