"""rollout_plans: which teams a piloted or scaled idea should reach, and by when

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 22:00:00

The roll-out plan of issue 23 (hero_core/services/adoption.py): IT champions' promise is that scaled ideas reach
their planned teams on time; a team is reached once its adopted share reaches adoption.REACHED_SHARE.
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rollout_plans',
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('due', sa.Date(), nullable=False),
        sa.Column('planned_by', sa.Integer(), nullable=True),
        sa.Column('planned_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_rollout_plans_idea_id_ideas')),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_rollout_plans_team_id_teams')),
        sa.ForeignKeyConstraint(['planned_by'], ['users.id'], name=op.f('fk_rollout_plans_planned_by_users')),
        sa.PrimaryKeyConstraint('idea_id', 'team_id', name=op.f('pk_rollout_plans')),
    )


def downgrade() -> None:
    op.drop_table('rollout_plans')
