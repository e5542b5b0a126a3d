"""Tables, as SQLAlchemy 2 typed declarative models (the persistence adapter; rules live elsewhere)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores UTC; always hands back timezone-aware UTC datetimes (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; the compact stores UTC-aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # How inbox notifications are also mailed when SMTP is configured: 'immediate', 'daily' (digest) or 'off'.
    email_mode: Mapped[str] = mapped_column(String(10), default="immediate", server_default="immediate")

    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class UserRole(Base):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class TeamManager(Base):
    __tablename__ = "team_managers"
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class Campaign(Base):
    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    touchpoint: Mapped[str | None] = mapped_column(String(32))
    closes_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Metric(Base):
    __tablename__ = "metrics"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(10))  # 'higher' or 'lower' is better
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    aggregation: Mapped[str] = mapped_column(String(10))  # 'mean', 'rate' or 'sum'
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (
        CheckConstraint("direction IN ('higher', 'lower')", name="direction"),
        CheckConstraint("aggregation IN ('mean', 'rate', 'sum')", name="aggregation"),
    )


class Observation(Base):
    __tablename__ = "observations"
    id: Mapped[int] = mapped_column(primary_key=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    day: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    sample_size: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (
        UniqueConstraint("metric_id", "team_id", "day", name="uq_observations_metric_team_day"),
    )


class ObservationWeek(Base):
    """Derived: each team's sum and count of one metric's daily values per week (Monday to Sunday, numbered as in
    hero_core.services.observations), kept in step with `observations` in the same transaction by every writer
    (hero_core.services.observations.refresh_weeks). The estimator and the charts read these team x week means
    instead of aggregating millions of daily rows; `hero_core.services.observations.rebuild_weeks` recomputes
    them all from the daily rows."""

    __tablename__ = "observation_weeks"
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"), primary_key=True)
    week: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    total: Mapped[float] = mapped_column(Float)
    n_days: Mapped[int] = mapped_column(Integer)


class ImpactResult(Base):
    """Derived: the estimator's stored answer for one launched idea and one of its target metrics, so the Hall of
    HEROs, the scorecard and the impact portfolio read verdicts instead of re-estimating every launched idea.
    `basis` fingerprints the inputs besides the observations (launch date, pilot teams, metric direction,
    windows); an import deletes the rows whose windows overlap the days it changed. A missing or outdated row is
    recomputed by hero_core.impact_store.refresh."""

    __tablename__ = "impact_results"
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    metric_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    basis: Mapped[str] = mapped_column(String(64))
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)  # exclusive
    verdict: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(40))
    inference: Mapped[str] = mapped_column(String(80), default="")
    direction: Mapped[str] = mapped_column(String(10))
    effect: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    p_value: Mapped[float | None] = mapped_column(Float)
    baseline_mean: Mapped[float | None] = mapped_column(Float)
    pre_trend_p: Mapped[float | None] = mapped_column(Float)
    n_obs: Mapped[int] = mapped_column(Integer, default=0)
    treated_teams: Mapped[str] = mapped_column(Text, default="")  # team codes, space-separated
    comparison_teams: Mapped[str] = mapped_column(Text, default="")
    warnings: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of strings
    __table_args__ = (
        Index("ix_impact_results_window", "metric_code", "window_start", "window_end"),
        Index("ix_impact_results_verdict", "verdict", "idea_id"),
    )


class ImpactCheck(Base):
    """Derived: the audit trail's head (seq and hash) at which every stored impact verdict for these impact windows
    was last found current. A process that has not checked yet itself (a new app server, the command line) then
    checks only what was audited since, instead of fingerprinting every launched idea
    (hero_core.impact_store.refresh)."""

    __tablename__ = "impact_checks"
    windows: Mapped[str] = mapped_column(String(40), primary_key=True)  # "baseline,evaluation,ramp" days
    audit_seq: Mapped[int] = mapped_column(Integer)
    audit_hash: Mapped[str] = mapped_column(String(64))


class Idea(Base):
    __tablename__ = "ideas"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    roadblock: Mapped[str] = mapped_column(Text)
    proposal: Mapped[str] = mapped_column(Text)
    touchpoint: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    involves_technology: Mapped[bool] = mapped_column(Boolean, default=False)
    expected_benefit: Mapped[str] = mapped_column(Text, default="")
    submitter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    state: Mapped[str] = mapped_column(String(20), default="draft")
    # Times the idea was sent for review (submit, each resubmit): the risk assessments of one round decide together
    # how many approvers it needs (hero_core/risk.py approvals_needed).
    review_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # Milestones of the compact (UTC) — denormalised from the audit trail for fast queues and funnels.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    piloted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scaling_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scaled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Service-level clocks (set when the clock starts).
    review_start_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    it_claim_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Pilot and IT plan.
    launch_date: Mapped[date | None] = mapped_column(Date)
    it_champion_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    it_plan: Mapped[str] = mapped_column(Text, default="")
    it_effort_days: Mapped[float | None] = mapped_column(Float)
    it_blockers: Mapped[str] = mapped_column(Text, default="")
    last_reason: Mapped[str] = mapped_column(Text, default="")
    # Set when a manager merges this idea into another as a duplicate (an admin can undo it).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    # The proposal form that made this idea (migration 0008): a second save or submit from the same form finds
    # this idea instead of making another.
    form_token: Mapped[str | None] = mapped_column(String(64))

    submitter: Mapped[User] = relationship(foreign_keys=[submitter_id], lazy="joined")
    team: Mapped[Team] = relationship(foreign_keys=[team_id], lazy="joined")
    it_champion: Mapped[User | None] = relationship(foreign_keys=[it_champion_id])
    campaign: Mapped[Campaign | None] = relationship()
    metric_rows: Mapped[list[IdeaMetric]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="IdeaMetric.metric_code"
    )
    pilot_rows: Mapped[list[IdeaPilotTeam]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}
    __table_args__ = (
        Index("ix_ideas_state_team", "state", "team_id"),
        Index("ix_ideas_team_state", "team_id", "state"),
        Index("ix_ideas_submitter", "submitter_id"),
        Index("ix_ideas_updated", "updated_at"),
        # Migration 0003 (performance at scale): index-only counts for Browse ideas and the IT board.
        Index("ix_ideas_visible", "state", "submitter_id", "merged_into_id"),
        Index("ix_ideas_board", "state", "involves_technology", "it_champion_id", "merged_into_id", "it_claim_due"),
        Index("ix_ideas_campaign", "campaign_id", "state", "merged_into_id"),
        Index("ux_ideas_submitter_form_token", "submitter_id", "form_token", unique=True),
    )


class IdeaMetric(Base):
    __tablename__ = "idea_metrics"
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), primary_key=True)
    metric_code: Mapped[str] = mapped_column(ForeignKey("metrics.code"), primary_key=True)


class IdeaPilotTeam(Base):
    __tablename__ = "idea_pilot_teams"
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)


class RiskAssessment(Base):
    __tablename__ = "risk_assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    overall: Mapped[int] = mapped_column(Integer)
    needs_it: Mapped[bool] = mapped_column(Boolean)
    needs_legal: Mapped[bool] = mapped_column(Boolean)
    budget: Mapped[str] = mapped_column(String(20))
    people_systems_touched: Mapped[int] = mapped_column(Integer)
    customers_reached: Mapped[str] = mapped_column(String(20))
    expected_change: Mapped[str] = mapped_column(String(20))
    strategic_fit: Mapped[str] = mapped_column(String(20))
    ev_category: Mapped[str] = mapped_column(String(30))
    notes: Mapped[str] = mapped_column(Text, default="")
    review_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    ratings: Mapped[list[RiskRating]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="RiskRating.category"
    )


class RiskRating(Base):
    __tablename__ = "risk_ratings"
    assessment_id: Mapped[int] = mapped_column(ForeignKey("risk_assessments.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(30), primary_key=True)
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    mitigation: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        CheckConstraint("likelihood BETWEEN 1 AND 5", name="likelihood"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="impact"),
    )


class Approval(Base):
    __tablename__ = "approvals"
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("risk_assessments.id"))
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (UniqueConstraint("assessment_id", "approver_id", name="uq_approvals_assessment_approver"),)


class AuditEntry(Base):
    """Append-only; each entry's hash covers its content and the previous entry's hash."""

    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(Integer)  # no FK: the trail outlives everything
    actor_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(60))
    before_json: Mapped[str] = mapped_column(Text, default="")
    after_json: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_audit_entity", "entity_type", "entity_id"),)


class Notification(Base):
    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    help_request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id"))  # its link, when not an idea
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)


class LoginSession(Base):
    """A signed-in browser. Only a hash of the token is stored; the token itself lives in the cookie."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginThrottle(Base):
    """Failed log-ins counted per client, per account and client, or per password-change form; a row's key is
    a hash (no address or email is stored) and the row is deleted once `expires_at` has passed."""

    __tablename__ = "login_throttles"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# --- The social side of the compact (conversation, duplicates, campaigns, pulse survey) ---------------------------


class CampaignTeam(Base):
    __tablename__ = "campaign_teams"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)


class CampaignMetric(Base):
    __tablename__ = "campaign_metrics"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    metric_code: Mapped[str] = mapped_column(ForeignKey("metrics.code"), primary_key=True)


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_comments_idea_created", "idea_id", "created_at"),)


class IdeaSupport(Base):
    """"I hit this roadblock too / I'd use this": one per person per idea."""

    __tablename__ = "idea_supports"
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_idea_supports_user", "user_id"),)


class IdeaFollow(Base):
    __tablename__ = "idea_follows"
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_idea_follows_user", "user_id"),)


class IdeaMerge(Base):
    """A duplicate merged into its original. `moved_json` records exactly what moved, so an admin can undo it."""

    __tablename__ = "idea_merges"
    id: Mapped[int] = mapped_column(primary_key=True)
    duplicate_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    original_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    merged_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    moved_json: Mapped[str] = mapped_column(Text, default="{}")
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PulseResponse(Base):
    """One HERO Index answer per person per quarter. Shown only in groups of at least 5, never per person."""

    __tablename__ = "pulse_responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))  # the team at the time of answering
    quarter: Mapped[str] = mapped_column(String(7))  # e.g. '2026Q4'
    empowered: Mapped[int] = mapped_column(Integer)  # 1..10
    unsanctioned_tools: Mapped[int] = mapped_column(Integer)  # apps/tools not provided by IT
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint("user_id", "quarter", name="uq_pulse_responses_user_quarter"),
        CheckConstraint("empowered BETWEEN 1 AND 10", name="empowered"),
        CheckConstraint("unsanctioned_tools >= 0", name="tools"),
        Index("ix_pulse_team_quarter", "team_id", "quarter"),
    )


# --- Help: roadblocks asked, answered, known answers, e-coaches (hero_core/services/help.py, migration 0009) -------


class HelpSystem(Base):
    """The catalog of systems and documents people ask about (a CRM, the returns policy), kept by admins."""

    __tablename__ = "help_systems"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default="system")  # 'system' or 'document'
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (CheckConstraint("kind IN ('system', 'document')", name="kind"),)


class EcoachAssignment(Base):
    """An e-coach answers for one system (or document) or one customer touch point; admins assign them."""

    __tablename__ = "ecoach_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    system_id: Mapped[int | None] = mapped_column(ForeignKey("help_systems.id"))
    touchpoint: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        CheckConstraint("(system_id IS NULL) <> (touchpoint IS NULL)", name="one_scope"),
        Index("ux_ecoach_assignments_scope", "user_id", "system_id", "touchpoint", unique=True),
        Index("ix_ecoach_assignments_system", "system_id"),
        Index("ix_ecoach_assignments_touchpoint", "touchpoint"),
    )


class HelpRequest(Base):
    """A roadblock someone asked for help with. `state`: 'open' (no answer yet), 'answered', 'solved'."""

    __tablename__ = "help_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    asker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))  # the asker's team when asking
    touchpoint: Mapped[str] = mapped_column(String(32))
    system_id: Mapped[int | None] = mapped_column(ForeignKey("help_systems.id"))
    question: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="")
    customer_waiting: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    solution_id: Mapped[int | None] = mapped_column(Integer)  # the help_answers row that solved it
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))  # the idea it was promoted into
    __table_args__ = (
        CheckConstraint("state IN ('open', 'answered', 'solved')", name="state"),
        Index("ix_help_requests_state_created", "state", "created_at"),
        Index("ix_help_requests_queue", "state", "customer_waiting", "created_at"),  # migration 0010
        Index("ix_help_requests_created", "created_at"),
        Index("ix_help_requests_asker", "asker_id", "created_at"),
        Index("ix_help_requests_system_created", "system_id", "created_at"),
        Index("ix_help_requests_idea", "idea_id"),
    )


class HelpAnswer(Base):
    __tablename__ = "help_answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        Index("ix_help_answers_request", "request_id", "created_at"),
        Index("ix_help_answers_author", "author_id", "created_at"),
    )


class KnownAnswer(Base):
    """A solved roadblock kept for the next person: the question, the answer that solved it, where it applies and
    who confirmed it. Marked outdated (not deleted) when the system or policy changes."""

    __tablename__ = "known_answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id"), unique=True)
    question: Mapped[str] = mapped_column(String(200))
    answer: Mapped[str] = mapped_column(Text)
    touchpoint: Mapped[str] = mapped_column(String(32))
    system_id: Mapped[int | None] = mapped_column(ForeignKey("help_systems.id"))
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outdated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outdated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outdated_reason: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_known_answers_updated", "updated_at"),)


class KnownAnswerTerm(Base):
    """Derived: which hashed terms each known answer holds (hero_core/help_text.py), an inverted index the database
    keeps, so suggesting known answers while someone types needs no index in the app's memory. Written with the
    known answer, in the same transaction (migration 0010)."""

    __tablename__ = "known_answer_terms"
    term: Mapped[int] = mapped_column(Integer, primary_key=True)
    known_answer_id: Mapped[int] = mapped_column(ForeignKey("known_answers.id"), primary_key=True)
    __table_args__ = ({"sqlite_with_rowid": False},)


class ErosionAlarm(Base):
    """An alarm that a launched idea's gain is wearing off (hero_core/erosion.py decides; migration 0011): its
    evidence when raised, and, once closed, what was done about it and by whom."""

    __tablename__ = "erosion_alarms"
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    kind: Mapped[str] = mapped_column(String(32))  # effect_fading, adoption_falling, roadblock_returning
    metric_code: Mapped[str | None] = mapped_column(String(40))  # the faded metric; None for other kinds
    detail: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the check's figures
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action_taken: Mapped[str | None] = mapped_column(String(32))
    action_note: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        CheckConstraint("kind IN ('effect_fading', 'adoption_falling', 'roadblock_returning')", name="kind"),
        Index("ix_erosion_alarms_open", "closed_at", "idea_id"),
        Index("ix_erosion_alarms_idea", "idea_id", "kind", "metric_code"),
    )


class IdeaAdoption(Base):
    """How much of a team works the new way of a piloted or scaled idea on a day (0 to 1): imported like metrics
    (hero_core/services/adoption.py; migration 0012). A later import of the same idea, team and day replaces it."""

    __tablename__ = "idea_adoption"
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    adopted_share: Mapped[float] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (CheckConstraint("adopted_share >= 0 AND adopted_share <= 1", name="share"),)


class JobAid(Base):
    """A short how-to for the people who must work a piloted or scaled idea's new way, versioned: every save is a
    new version; an e-coach checks a version before the idea's teams see it (hero_core/services/job_aids.py;
    migration 0013)."""

    __tablename__ = "job_aids"
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    steps: Mapped[str] = mapped_column(Text)
    applies_where: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[str] = mapped_column(Text, default="")
    written_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ux_job_aids_idea_version", "idea_id", "version", unique=True),)


class RolloutPlan(Base):
    """Which teams a piloted or scaled idea should reach, and by when (hero_core/services/adoption.py; migration
    0014). A team counts as reached once its adopted share reaches adoption.REACHED_SHARE."""

    __tablename__ = "rollout_plans"
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    due: Mapped[date] = mapped_column(Date)
    planned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)
