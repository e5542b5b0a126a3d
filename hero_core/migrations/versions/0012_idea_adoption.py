"""idea_adoption: the share of each team working the new way of a piloted or scaled idea, over time

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 21:35:00

Adoption per team (issue 23), imported like metrics (`idea_id, team, date, adopted_share`, all rows or none;
hero_core/services/adoption.py). Falling adoption raises an erosion alarm (hero_core/erosion.py).
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'idea_adoption',
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('adopted_share', sa.Float(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('adopted_share >= 0 AND adopted_share <= 1', name=op.f('ck_idea_adoption_share')),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_adoption_idea_id_ideas')),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_idea_adoption_team_id_teams')),
        sa.PrimaryKeyConstraint('idea_id', 'team_id', 'day', name=op.f('pk_idea_adoption')),
    )


def downgrade() -> None:
    op.drop_table('idea_adoption')
