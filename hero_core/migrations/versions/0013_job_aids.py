"""job_aids: versioned how-tos for piloted and scaled ideas, checked by an e-coach

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:45:00

Performance support sustains what an idea gained (issue 23): the HERO or an IT champion writes a job aid, every
save a new version; an e-coach checks a version, and the latest checked one is what the idea's teams see
(hero_core/services/job_aids.py).
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'job_aids',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('steps', sa.Text(), nullable=False),
        sa.Column('applies_where', sa.Text(), nullable=False),
        sa.Column('links', sa.Text(), nullable=False),
        sa.Column('written_by', sa.Integer(), nullable=False),
        sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('checked_by', sa.Integer(), nullable=True),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_job_aids_idea_id_ideas')),
        sa.ForeignKeyConstraint(['written_by'], ['users.id'], name=op.f('fk_job_aids_written_by_users')),
        sa.ForeignKeyConstraint(['checked_by'], ['users.id'], name=op.f('fk_job_aids_checked_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_aids')),
    )
    with op.batch_alter_table('job_aids', schema=None) as batch_op:
        batch_op.create_index('ux_job_aids_idea_version', ['idea_id', 'version'], unique=True)


def downgrade() -> None:
    op.drop_table('job_aids')
