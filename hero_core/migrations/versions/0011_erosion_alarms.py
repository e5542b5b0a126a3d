"""erosion_alarms: launched ideas whose gain is wearing off, and what was done about it

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 21:20:00

After scaling (issue 23): each launched idea that showed an improvement is watched; an alarm is opened when its
effect fades back towards the baseline or help requests about its system rise again (hero_core/erosion.py,
hero_core/services/erosion.py), and closed with the action taken.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'erosion_alarms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('metric_code', sa.String(length=40), nullable=True),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_by', sa.Integer(), nullable=True),
        sa.Column('action_taken', sa.String(length=32), nullable=True),
        sa.Column('action_note', sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('effect_fading', 'adoption_falling', 'roadblock_returning')",
                           name=op.f('ck_erosion_alarms_kind')),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_erosion_alarms_idea_id_ideas')),
        sa.ForeignKeyConstraint(['closed_by'], ['users.id'], name=op.f('fk_erosion_alarms_closed_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_erosion_alarms')),
    )
    with op.batch_alter_table('erosion_alarms', schema=None) as batch_op:
        batch_op.create_index('ix_erosion_alarms_open', ['closed_at', 'idea_id'], unique=False)
        batch_op.create_index('ix_erosion_alarms_idea', ['idea_id', 'kind', 'metric_code'], unique=False)


def downgrade() -> None:
    op.drop_table('erosion_alarms')
