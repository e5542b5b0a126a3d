"""impact_checks: where the last complete check of the stored impact verdicts left the audit trail

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 16:30:00

- impact_checks: per set of impact windows, the audit trail's head (seq, hash) at which every stored verdict was
  found current. A process that starts (an app server, the command line) checks only the ideas audited since,
  and the ideas missing a verdict, instead of fingerprinting every launched idea: at 100k ideas the full check
  took 1.3-2.5 s and 70 MB on the first visit to the Hall of HEROs, the scorecard or the impact page.
  Derived data: an empty table means "check everything once", as before this revision.
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('impact_checks',
    sa.Column('windows', sa.String(length=40), nullable=False),
    sa.Column('audit_seq', sa.Integer(), nullable=False),
    sa.Column('audit_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('windows', name=op.f('pk_impact_checks'))
    )


def downgrade() -> None:
    op.drop_table('impact_checks')
