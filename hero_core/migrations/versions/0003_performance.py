"""performance at scale: covering indexes for the counts people wait for

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 23:58:00

- ix_ideas_visible (state, submitter_id, merged_into_id): "how many ideas match" on Browse ideas, Home and My
  ideas counts every idea a person may see (not a draft unless theirs, not merged); with this index the count
  reads the index alone instead of every row of the ideas table.
- ix_ideas_board (state, involves_technology, it_champion_id, merged_into_id, it_claim_due): the IT board's
  column totals and overdue count, index-only.
Measured by `make bench` (docs/performance.md).
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index('ix_ideas_visible', ['state', 'submitter_id', 'merged_into_id'], unique=False)
        batch_op.create_index('ix_ideas_board', ['state', 'involves_technology', 'it_champion_id', 'merged_into_id',
                                                 'it_claim_due'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_board')
        batch_op.drop_index('ix_ideas_visible')
