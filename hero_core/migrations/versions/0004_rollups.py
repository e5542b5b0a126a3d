"""stored aggregates for speed at scale: weekly means, impact verdicts; campaign index; audit TRUNCATE refused

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:00:00

- observation_weeks: each team's weekly sum and count of every metric, kept in step with observations by
  every writer in the same transaction. The estimator and the impact charts read team x week means from it
  (36k rows per metric at 200 teams and 3.4 years) instead of grouping millions of daily rows. Filled here from
  the observations already stored.
- impact_results: the estimator's stored answer per launched idea and target metric, read by the Hall of HEROs,
  the scorecard and the impact portfolio; derived data, recomputed when missing or outdated
  (hero_core.impact_store).
- ix_ideas_campaign (campaign_id, state, merged_into_id): a campaign's idea counts by state, index-only.
- PostgreSQL: TRUNCATE on audit_entries is refused like UPDATE and DELETE (a statement-level trigger; the
  row-level one of 0001 never fires for TRUNCATE).
Measured by `make bench` (docs/performance.md).
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('observation_weeks',
    sa.Column('metric_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('n_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['metric_id'], ['metrics.id'], name=op.f('fk_observation_weeks_metric_id_metrics')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_observation_weeks_team_id_teams')),
    sa.PrimaryKeyConstraint('metric_id', 'week', 'team_id', name=op.f('pk_observation_weeks'))
    )
    op.create_table('impact_results',
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('metric_code', sa.String(length=40), nullable=False),
    sa.Column('basis', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.Date(), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('verdict', sa.String(length=20), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.Column('inference', sa.String(length=80), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('effect', sa.Float(), nullable=True),
    sa.Column('ci_low', sa.Float(), nullable=True),
    sa.Column('ci_high', sa.Float(), nullable=True),
    sa.Column('p_value', sa.Float(), nullable=True),
    sa.Column('baseline_mean', sa.Float(), nullable=True),
    sa.Column('pre_trend_p', sa.Float(), nullable=True),
    sa.Column('n_obs', sa.Integer(), nullable=False),
    sa.Column('treated_teams', sa.Text(), nullable=False),
    sa.Column('comparison_teams', sa.Text(), nullable=False),
    sa.Column('warnings', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_impact_results_idea_id_ideas'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idea_id', 'metric_code', name=op.f('pk_impact_results'))
    )
    with op.batch_alter_table('impact_results', schema=None) as batch_op:
        batch_op.create_index('ix_impact_results_window', ['metric_code', 'window_start', 'window_end'], unique=False)
        batch_op.create_index('ix_impact_results_verdict', ['verdict', 'idea_id'], unique=False)
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index('ix_ideas_campaign', ['campaign_id', 'state', 'merged_into_id'], unique=False)

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        day = "(day - DATE '1970-01-01')"
    else:
        day = "CAST(julianday(day) - 2440587.5 AS INTEGER)"
    # Weeks from Monday 1970-01-05 (day 4), as hero_core.services.observations numbers them.
    op.execute(
        "INSERT INTO observation_weeks (metric_id, week, team_id, total, n_days) "
        f"SELECT metric_id, ({day} - 4) / 7, team_id, SUM(value), COUNT(*) FROM observations "
        f"GROUP BY metric_id, ({day} - 4) / 7, team_id"
    )
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
            "FOR EACH STATEMENT EXECUTE FUNCTION hero_audit_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries")
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_campaign')
    with op.batch_alter_table('impact_results', schema=None) as batch_op:
        batch_op.drop_index('ix_impact_results_verdict')
        batch_op.drop_index('ix_impact_results_window')
    op.drop_table('impact_results')
    op.drop_table('observation_weeks')
