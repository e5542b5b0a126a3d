"""known_answer_terms: the database's inverted index of known answers; the e-coach queue's index

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 21:00:00

Suggestions of known answers while someone types read this table (term -> known answers) instead of an index in
the app's memory, which the 400 MB budget per app process has no room for at 500,000 help requests
(hero_core/services/help.py search_known). A WITHOUT ROWID table on SQLite: the primary key is the index.
Known answers stored before this revision get their terms here.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'known_answer_terms',
        sa.Column('term', sa.Integer(), nullable=False),
        sa.Column('known_answer_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['known_answer_id'], ['known_answers.id'],
                                name=op.f('fk_known_answer_terms_known_answer_id_known_answers')),
        sa.PrimaryKeyConstraint('term', 'known_answer_id', name=op.f('pk_known_answer_terms')),
        sqlite_with_rowid=False,
    )
    # The e-coach queue reads requests by state and urgency, oldest first (hero_core/services/help.py queue).
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.create_index('ix_help_requests_queue', ['state', 'customer_waiting', 'created_at'], unique=False)
    from hero_core.help_text import known_answer_text, term_hashes

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, question, answer FROM known_answers")).all()
    terms = [{"t": int(t), "k": kid} for kid, q, a in rows for t in term_hashes(known_answer_text(q, a))]
    if terms:
        conn.execute(sa.text("INSERT INTO known_answer_terms (term, known_answer_id) VALUES (:t, :k)"), terms)


def downgrade() -> None:
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_help_requests_queue')
    op.drop_table('known_answer_terms')
