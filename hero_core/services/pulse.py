"""The HERO Index pulse: once a quarter, everyone says how empowered they feel and how resourceful they are.

Forrester's HERO Index (Josh Bernoff and Ted Schadler, *Empowered*, 2010; Forrester report "The HERO Index:
Finding Empowered Employees", 2010) sorts people on two questions:

* **empowered** - agreement with "I feel empowered to solve my own problems and challenges at work" on a
  10-point scale. Because most people lean towards agreeing, Forrester counts someone as empowered only at
  8 or above (EMPOWERED_MIN);
* **resourceful** - measured by what people do, not what they say: regularly using applications or web sites
  that IT did not provide. The HERO Index report counts someone as resourceful at two or more such tools
  (RESOURCEFUL_MIN_TOOLS); Forrester's later 2011 workforce study used one or more.

The four segments are the quadrants of those two answers (SEGMENTS):

=================  ===========  =============  ================================================================
segment            empowered    resourceful    meaning
=================  ===========  =============  ================================================================
HERO               yes          yes            highly empowered and resourceful operatives
locked-down        yes          no             ready to help, but without the tools to do it
rogue              no           yes            use unsanctioned tools, but don't feel empowered to change much
disenfranchised    no           no             neither feel empowered nor act resourceful
=================  ===========  =============  ================================================================

Privacy: answers are shown only as aggregates of a team (the team the person was in when answering) or the
whole organisation in a quarter, and only for groups of at least MIN_GROUP answers. So that a hidden group
cannot be worked out by subtracting the shown teams from the organisation's total, a quarter's smallest shown
team is hidden too whenever the hidden teams together hold fewer than MIN_GROUP answers (complementary
suppression). The audit trail records that a person answered, never what they answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from hero_core import audit, permissions
from hero_core.db import Database
from hero_core.errors import AlreadyAnswered, InvalidInput
from hero_core.models import PulseResponse, Team
from hero_core.services.common import actor_ref, load_actor

QUESTION_EMPOWERED = "I feel empowered to solve my own problems and challenges at work."
QUESTION_TOOLS = "How many apps or tools that IT did not provide do you use regularly for your work?"

EMPOWERED_MIN = 8  # 8, 9 or 10 on the 1-10 scale counts as empowered (Forrester)
RESOURCEFUL_MIN_TOOLS = 2  # two or more tools not provided by IT counts as resourceful (HERO Index report)
MIN_GROUP = 5  # fewer answers than this are never shown
MAX_TOOLS = 1_000  # a sanity bound for typing errors, not a rule of Forrester's

HERO = "HERO"
LOCKED_DOWN = "locked-down"
ROGUE = "rogue"
DISENFRANCHISED = "disenfranchised"
#: segment -> (empowered?, resourceful?, description)
SEGMENTS: dict[str, tuple[bool, bool, str]] = {
    HERO: (True, True, "feel empowered and act resourceful"),
    LOCKED_DOWN: (True, False, "feel empowered, but do not use tools beyond what IT provides"),
    ROGUE: (False, True, "use tools IT did not provide, but do not feel empowered"),
    DISENFRANCHISED: (False, False, "neither feel empowered nor act resourceful"),
}
FEWER_THAN_MIN = f"fewer than {MIN_GROUP} answers"
WHOLE_ORGANISATION = "Whole organisation"
NO_TEAM = "(no team)"


def is_empowered(empowered: int) -> bool:
    return empowered >= EMPOWERED_MIN


def is_resourceful(unsanctioned_tools: int) -> bool:
    return unsanctioned_tools >= RESOURCEFUL_MIN_TOOLS


def segment(empowered: int, unsanctioned_tools: int) -> str:
    """The Forrester segment of one answer."""
    key = (is_empowered(empowered), is_resourceful(unsanctioned_tools))
    return next(name for name, (e, r, _) in SEGMENTS.items() if (e, r) == key)


def quarter_of(moment: datetime) -> str:
    """'2026Q4' for any moment in October-December 2026 (UTC)."""
    return f"{moment.year}Q{(moment.month - 1) // 3 + 1}"


# ---- answering ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyPulse:
    quarter: str
    answered_at: datetime | None  # when this person answered this quarter (None: not yet)


def _validate(empowered: object, unsanctioned_tools: object) -> tuple[int, int]:
    fields: dict[str, str] = {}

    def whole(value: object) -> int | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
        return None

    e, t = whole(empowered), whole(unsanctioned_tools)
    if e is None or not 1 <= e <= 10:
        fields["empowered"] = ("Choose how empowered you feel, from 1 (not at all) to 10 (completely)"
                               + _not(empowered))
    if t is None or not 0 <= t <= MAX_TOOLS:
        fields["unsanctioned_tools"] = (
            f"Enter how many tools that IT did not provide you use: a whole number from 0 to {MAX_TOOLS}"
            + _not(unsanctioned_tools)
        )
    if fields:
        raise InvalidInput(list(fields.values()), fields=fields)
    return e, t  # type: ignore[return-value]


def _refusal(quarter: str, answered_at: datetime | None) -> AlreadyAnswered:
    when = f" on {answered_at:%Y-%m-%d}" if answered_at else ""
    return AlreadyAnswered(
        f"You already answered the HERO Index pulse for {quarter}{when}; each person answers once per "
        "quarter. The next quarter opens a new pulse."
    )


def _not(value: object) -> str:
    """What was given instead, for a message: nothing when nothing was given (never "None")."""
    return "" if value is None or value == "" else f" (not {value!r})"


def answer(db: Database, *, actor_id: int, empowered: object, unsanctioned_tools: object) -> str:
    """Store this person's answer for the current quarter; returns the quarter. Refuses a second answer."""
    e, t = _validate(empowered, unsanctioned_tools)
    try:
        with db.write() as s:
            actor = load_actor(s, actor_id)
            permissions.require(actor, "answer_pulse")
            now = db.now()
            quarter = quarter_of(now)
            earlier = s.execute(
                select(PulseResponse.answered_at).where(
                    PulseResponse.user_id == actor.id, PulseResponse.quarter == quarter
                )
            ).scalar()
            if earlier is not None:
                raise _refusal(quarter, earlier)
            row = PulseResponse(
                user_id=actor.id,
                team_id=actor.team_id,
                quarter=quarter,
                empowered=e,
                unsanctioned_tools=t,
                answered_at=now,
            )
            s.add(row)
            s.flush()
            actor_id_ref, email = actor_ref(actor)
            # What was answered stays out of the trail: admins and executives read it; answers are anonymous.
            audit.record(
                s,
                at=now,
                actor_id=actor_id_ref,
                actor_email=email,
                action="answer_pulse",
                entity_type="pulse",
                entity_id=quarter,
                after={"quarter": quarter},
            )
            return quarter
    except IntegrityError as exc:  # two tabs answering at the same moment: the unique constraint decides
        raise _refusal(quarter_of(db.now()), None) from exc


def my_pulse(db: Database, *, actor_id: int) -> MyPulse:
    """Whether this person has answered the current quarter's pulse (their own status only)."""
    quarter = quarter_of(db.now())
    with db.read() as s:
        at = s.execute(
            select(PulseResponse.answered_at).where(
                PulseResponse.user_id == actor_id, PulseResponse.quarter == quarter
            )
        ).scalar()
    return MyPulse(quarter=quarter, answered_at=at)


# ---- aggregates --------------------------------------------------------------------------------------------

#: `group` is the team's code (WHOLE_ORGANISATION for everyone), `group_name` what people read: the team's name.
SUMMARY_COLUMNS = (
    "quarter",
    "group",
    "group_name",
    "answers",
    "shown",
    "note",
    "mean_empowered",
    *(f"share_{name}" for name in SEGMENTS),
)


def _segment_column(name: str):
    """SQL: 1 when an answer falls in segment `name` (the same thresholds as `segment`)."""
    empowered, resourceful = SEGMENTS[name][:2]
    e = PulseResponse.empowered >= EMPOWERED_MIN
    r = PulseResponse.unsanctioned_tools >= RESOURCEFUL_MIN_TOOLS
    return func.sum(case(((e if empowered else ~e) & (r if resourceful else ~r), 1), else_=0))


def summary(db: Database, *, actor_id: int) -> pd.DataFrame:
    """Per quarter: the whole organisation and each team (its code and its name), with answer counts and segment
    shares.

    Groups with fewer than MIN_GROUP answers (and the complementary group that would reveal them) have
    `shown` False, a note, and no figures.
    """
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_pulse")
        rows = s.execute(
            select(
                PulseResponse.quarter,
                Team.code,
                Team.name,
                func.count(PulseResponse.id),
                func.avg(PulseResponse.empowered),
                *[_segment_column(name) for name in SEGMENTS],
            )
            .outerjoin(Team, Team.id == PulseResponse.team_id)
            .group_by(PulseResponse.quarter, Team.code, Team.name)
        ).all()
    records = []
    for quarter in sorted({r[0] for r in rows}):
        teams = [r for r in rows if r[0] == quarter]
        total = sum(r[3] for r in teams)
        records.append(
            _record(
                quarter,
                (WHOLE_ORGANISATION, WHOLE_ORGANISATION),
                total,
                sum(r[4] * r[3] for r in teams) / total if total else None,
                [sum(r[5 + k] for r in teams) for k in range(len(SEGMENTS))],
            )
        )
        team_records = [
            _record(quarter, (r[1] or NO_TEAM, r[2] or NO_TEAM), r[3], r[4], list(r[5:])) for r in teams
        ]
        _suppress_complement(team_records, whole_shown=records[-1]["shown"])
        records.extend(sorted(team_records, key=lambda x: (x["group_name"], x["group"])))  # as people read them
    for r in records:
        del r["_answers"]
    return pd.DataFrame.from_records(records, columns=list(SUMMARY_COLUMNS))


def _record(quarter: str, group: tuple[str, str], answers: int, mean: float | None, counts: list[int]) -> dict:
    """One group's row; `group` is (code, name)."""
    shown = answers >= MIN_GROUP
    record = {
        "quarter": quarter,
        "group": group[0],
        "group_name": group[1],
        "answers": int(answers),
        "_answers": int(answers),
        "shown": shown,
        "note": "" if shown else FEWER_THAN_MIN,
        "mean_empowered": round(float(mean), 2) if shown and mean is not None else None,
    }
    for name, count in zip(SEGMENTS, counts, strict=True):
        record[f"share_{name}"] = round(int(count) / answers, 4) if shown else None
    if not shown:
        record["answers"] = None  # even the count of a small group says too much ("2 answers" in a team of 2)
    return record


def _suppress_complement(team_records: list[dict], *, whole_shown: bool) -> None:
    """Hide the smallest shown team while the hidden ones hold 1..MIN_GROUP-1 answers (see module doc)."""
    if not whole_shown:
        return
    while True:
        hidden = [r for r in team_records if not r["shown"]]
        shown = [r for r in team_records if r["shown"]]
        hidden_answers = sum(r["_answers"] for r in hidden) if hidden else 0
        if not hidden or hidden_answers >= MIN_GROUP or not shown:
            break
        smallest = min(shown, key=lambda r: (r["answers"], r["group"]))
        smallest.update(
            {
                "shown": False,
                "note": "hidden so that smaller groups cannot be worked out",
                "mean_empowered": None,
                "answers": None,
                **{f"share_{name}": None for name in SEGMENTS},
            }
        )


def segment_counts_table() -> pd.DataFrame:
    """The segment rules as a table for the page (thresholds included)."""
    return pd.DataFrame(
        [
            {
                "segment": name,
                f"empowered (≥ {EMPOWERED_MIN} of 10)": "yes" if e else "no",
                f"resourceful (≥ {RESOURCEFUL_MIN_TOOLS} tools not from IT)": "yes" if r else "no",
                "meaning": text,
            }
            for name, (e, r, text) in SEGMENTS.items()
        ]
    )
