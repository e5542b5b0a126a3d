"""help: systems catalog, e-coach assignments, help requests, answers, known answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 20:45:00

The step before an idea (issue 22): someone hits a roadblock and asks for help; e-coaches (assigned per system
or touch point) and colleagues answer; the asker marks the answer that solved it, which becomes a known answer
(hero_core/services/help.py). A request promoted into an idea keeps the idea's id (help_requests.idea_id).
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'help_systems',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('system', 'document')", name=op.f('ck_help_systems_kind')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_help_systems')),
        sa.UniqueConstraint('code', name=op.f('uq_help_systems_code')),
    )
    op.create_table(
        'ecoach_assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('system_id', sa.Integer(), nullable=True),
        sa.Column('touchpoint', sa.String(length=32), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('(system_id IS NULL) <> (touchpoint IS NULL)',
                           name=op.f('ck_ecoach_assignments_one_scope')),
        sa.ForeignKeyConstraint(['system_id'], ['help_systems.id'],
                                name=op.f('fk_ecoach_assignments_system_id_help_systems')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ecoach_assignments_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ecoach_assignments')),
    )
    with op.batch_alter_table('ecoach_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_ecoach_assignments_system', ['system_id'], unique=False)
        batch_op.create_index('ix_ecoach_assignments_touchpoint', ['touchpoint'], unique=False)
        batch_op.create_index('ux_ecoach_assignments_scope', ['user_id', 'system_id', 'touchpoint'], unique=True)
    op.create_table(
        'help_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('asker_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('touchpoint', sa.String(length=32), nullable=False),
        sa.Column('system_id', sa.Integer(), nullable=True),
        sa.Column('question', sa.String(length=200), nullable=False),
        sa.Column('details', sa.Text(), nullable=False),
        sa.Column('customer_waiting', sa.Boolean(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('first_response_due', sa.DateTime(timezone=True), nullable=True),
        sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('first_response_by', sa.Integer(), nullable=True),
        sa.Column('solved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('solution_id', sa.Integer(), nullable=True),
        sa.Column('idea_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('open', 'answered', 'solved')", name=op.f('ck_help_requests_state')),
        sa.ForeignKeyConstraint(['asker_id'], ['users.id'], name=op.f('fk_help_requests_asker_id_users')),
        sa.ForeignKeyConstraint(['first_response_by'], ['users.id'],
                                name=op.f('fk_help_requests_first_response_by_users')),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_help_requests_idea_id_ideas')),
        sa.ForeignKeyConstraint(['system_id'], ['help_systems.id'],
                                name=op.f('fk_help_requests_system_id_help_systems')),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_help_requests_team_id_teams')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_help_requests')),
    )
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.create_index('ix_help_requests_asker', ['asker_id', 'created_at'], unique=False)
        batch_op.create_index('ix_help_requests_created', ['created_at'], unique=False)
        batch_op.create_index('ix_help_requests_idea', ['idea_id'], unique=False)
        batch_op.create_index('ix_help_requests_state_created', ['state', 'created_at'], unique=False)
        batch_op.create_index('ix_help_requests_system_created', ['system_id', 'created_at'], unique=False)
    op.create_table(
        'help_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_help_answers_author_id_users')),
        sa.ForeignKeyConstraint(['request_id'], ['help_requests.id'],
                                name=op.f('fk_help_answers_request_id_help_requests')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_help_answers')),
    )
    with op.batch_alter_table('help_answers', schema=None) as batch_op:
        batch_op.create_index('ix_help_answers_author', ['author_id', 'created_at'], unique=False)
        batch_op.create_index('ix_help_answers_request', ['request_id', 'created_at'], unique=False)
    op.create_table(
        'known_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('question', sa.String(length=200), nullable=False),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('touchpoint', sa.String(length=32), nullable=False),
        sa.Column('system_id', sa.Integer(), nullable=True),
        sa.Column('answered_by', sa.Integer(), nullable=True),
        sa.Column('confirmed_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('outdated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outdated_by', sa.Integer(), nullable=True),
        sa.Column('outdated_reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['answered_by'], ['users.id'], name=op.f('fk_known_answers_answered_by_users')),
        sa.ForeignKeyConstraint(['confirmed_by'], ['users.id'], name=op.f('fk_known_answers_confirmed_by_users')),
        sa.ForeignKeyConstraint(['outdated_by'], ['users.id'], name=op.f('fk_known_answers_outdated_by_users')),
        sa.ForeignKeyConstraint(['request_id'], ['help_requests.id'],
                                name=op.f('fk_known_answers_request_id_help_requests')),
        sa.ForeignKeyConstraint(['system_id'], ['help_systems.id'],
                                name=op.f('fk_known_answers_system_id_help_systems')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_known_answers')),
        sa.UniqueConstraint('request_id', name=op.f('uq_known_answers_request_id')),
    )
    with op.batch_alter_table('known_answers', schema=None) as batch_op:
        batch_op.create_index('ix_known_answers_updated', ['updated_at'], unique=False)


def downgrade() -> None:
    op.drop_table('known_answers')
    op.drop_table('help_answers')
    op.drop_table('help_requests')
    op.drop_table('ecoach_assignments')
    op.drop_table('help_systems')
