"""The HERO Index pulse: once per person per quarter, Forrester's segments, only groups of 5+."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from hero_core.errors import AlreadyAnswered, InvalidInput, PermissionDenied
from hero_core.models import AuditEntry, PulseResponse
from hero_core.services import people, pulse

Q3 = datetime(2026, 8, 14, 10, 0, tzinfo=UTC)
Q4 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def at(db, moment: datetime) -> None:
    db.clock = lambda: moment


def add_people(org, team: str, n: int, prefix: str) -> list[int]:
    return [
        people.add_user(
            org.db,
            actor_id=None,
            email=f"{prefix}{i}@example.com",
            name=f"{prefix} {i}",
            roles=["frontline"],
            team_code=team,
            password="a long enough password",
        )
        for i in range(n)
    ]


def row(frame, quarter: str, group: str) -> dict:
    match = frame[(frame["quarter"] == quarter) & (frame["group"] == group)]
    assert len(match) == 1, (
        f"no single row for {quarter} {group}: {frame[['quarter', 'group']].values.tolist()}"
    )
    return match.iloc[0].to_dict()


@pytest.mark.parametrize(
    ("empowered", "tools", "segment"),
    [
        (8, 2, "HERO"),
        (10, 9, "HERO"),
        (8, 1, "locked-down"),
        (9, 0, "locked-down"),
        (7, 2, "rogue"),
        (1, 30, "rogue"),
        (7, 1, "disenfranchised"),
        (1, 0, "disenfranchised"),
    ],
)
def test_forrester_segments_follow_the_two_thresholds(empowered, tools, segment):
    assert pulse.segment(empowered, tools) == segment


def test_quarters_are_named_year_and_quarter():
    assert [pulse.quarter_of(datetime(2026, m, 1, tzinfo=UTC)) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [
        "2026Q1",
        "2026Q1",
        "2026Q2",
        "2026Q2",
        "2026Q3",
        "2026Q3",
        "2026Q4",
        "2026Q4",
    ]


def test_an_answer_is_stored_with_the_team_and_quarter_and_audited_without_its_values(org):
    at(org.db, Q4)
    assert pulse.answer(org.db, actor_id=org.frontline, empowered=9, unsanctioned_tools=3) == "2026Q4"
    with org.db.read() as s:
        stored = s.execute(select(PulseResponse)).scalar_one()
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "answer_pulse")).scalar_one()
    assert (stored.user_id, stored.quarter, stored.empowered, stored.unsanctioned_tools) == (
        org.frontline,
        "2026Q4",
        9,
        3,
    )
    assert stored.team_id is not None
    assert entry.actor_email == "fran@example.com" and entry.entity_id == "2026Q4"
    assert "9" not in entry.after_json and "empowered" not in entry.after_json


def test_a_second_answer_in_the_same_quarter_is_refused_and_the_first_is_kept(org):
    at(org.db, Q4)
    pulse.answer(org.db, actor_id=org.frontline, empowered=9, unsanctioned_tools=3)
    with pytest.raises(AlreadyAnswered) as refused:
        pulse.answer(org.db, actor_id=org.frontline, empowered=2, unsanctioned_tools=0)
    assert "already answered the HERO Index pulse for 2026Q4 on 2026-11-02" in str(refused.value)
    with org.db.read() as s:
        assert [(r.empowered, r.unsanctioned_tools) for r in s.execute(select(PulseResponse)).scalars()] == [
            (9, 3)
        ]
    assert pulse.my_pulse(org.db, actor_id=org.frontline).answered_at == Q4


def test_the_next_quarter_opens_a_new_pulse(org):
    at(org.db, Q3)
    pulse.answer(org.db, actor_id=org.frontline, empowered=5, unsanctioned_tools=0)
    at(org.db, Q4)
    assert pulse.my_pulse(org.db, actor_id=org.frontline).answered_at is None
    assert pulse.answer(org.db, actor_id=org.frontline, empowered=8, unsanctioned_tools=2) == "2026Q4"


def test_two_answers_racing_in_the_same_quarter_store_exactly_one(org):
    at(org.db, Q4)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def go(value: int) -> None:
        barrier.wait()
        try:
            pulse.answer(org.db, actor_id=org.frontline, empowered=value, unsanctioned_tools=1)
            outcomes.append("stored")
        except AlreadyAnswered:
            outcomes.append("refused")

    threads = [threading.Thread(target=go, args=(v,)) for v in (3, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "stored"]
    with org.db.read() as s:
        assert len(s.execute(select(PulseResponse)).scalars().all()) == 1


@pytest.mark.parametrize(
    ("empowered", "tools", "field"),
    [
        (0, 1, "empowered"),
        (11, 1, "empowered"),
        ("eight", 1, "empowered"),
        (7.5, 1, "empowered"),
        (None, 1, "empowered"),
        (True, 1, "empowered"),
        (5, -1, "unsanctioned_tools"),
        (5, "many", "unsanctioned_tools"),
        (5, 1001, "unsanctioned_tools"),
    ],
)
def test_out_of_range_answers_are_refused_naming_the_field_and_value(org, empowered, tools, field):
    with pytest.raises(InvalidInput) as refused:
        pulse.answer(org.db, actor_id=org.frontline, empowered=empowered, unsanctioned_tools=tools)
    assert list(refused.value.fields) == [field]
    given = empowered if field == "empowered" else tools
    message = refused.value.fields[field]
    assert repr(given) in message if given is not None else "None" not in message  # a person never reads None
    with org.db.read() as s:
        assert s.execute(select(PulseResponse)).first() is None


def test_a_deactivated_person_cannot_answer(org):
    people.set_active(org.db, actor_id=None, email="fran@example.com", active=False)
    with pytest.raises(PermissionDenied):
        pulse.answer(org.db, actor_id=org.frontline, empowered=8, unsanctioned_tools=2)


@pytest.mark.parametrize("who", ["frontline", "it"])
def test_only_managers_executives_and_admins_see_the_aggregates(org, who):
    with pytest.raises(PermissionDenied) as refused:
        pulse.summary(org.db, actor_id=getattr(org, who))
    assert "managers, executives and admins" in str(refused.value)
    for allowed in (org.manager, org.executive, org.admin):
        assert pulse.summary(org.db, actor_id=allowed).empty


def test_teams_of_five_or_more_show_segment_shares_and_smaller_ones_say_fewer_than_5(org):
    at(org.db, Q4)
    big = add_people(org, "ST", 4, "store")  # ST: sam, max + 4 = 6 people
    answers = {  # ST: 2 HEROes, 1 locked-down, 2 rogue, 1 disenfranchised
        org.other_frontline: (9, 2),
        org.other_manager: (8, 5),
        big[0]: (10, 0),
        big[1]: (3, 4),
        big[2]: (7, 2),
        big[3]: (2, 0),
    }
    cc = {
        org.frontline: (9, 3),
        org.frontline_b: (4, 0),
        org.manager: (8, 0),
        org.it: (6, 6),
        org.executive: (10, 2),
        org.admin: (5, 1),
    }  # CC: 6 answers
    for uid, (e, t) in {**answers, **cc}.items():
        pulse.answer(org.db, actor_id=uid, empowered=e, unsanctioned_tools=t)
    frame = pulse.summary(org.db, actor_id=org.executive)
    st = row(frame, "2026Q4", "ST")
    assert st["shown"] and st["answers"] == 6
    assert st["group_name"] == "Stores", "the team's code for machines, its name for people"
    assert (st["share_HERO"], st["share_locked-down"], st["share_rogue"], st["share_disenfranchised"]) == (
        round(2 / 6, 4),
        round(1 / 6, 4),
        round(2 / 6, 4),
        round(1 / 6, 4),
    )
    assert st["mean_empowered"] == round((9 + 8 + 10 + 3 + 7 + 2) / 6, 2)
    whole = row(frame, "2026Q4", pulse.WHOLE_ORGANISATION)
    assert whole["answers"] == 12 and whole["share_HERO"] == round(4 / 12, 4)
    assert whole["group_name"] == pulse.WHOLE_ORGANISATION

    # A third team with 3 answers: hidden, and (since the organisation's total would give it away) the
    # smallest shown team is hidden with it.
    people.create_team(org.db, actor_id=None, code="DIG", name="Digital")
    for uid in add_people(org, "DIG", 3, "dig"):
        pulse.answer(org.db, actor_id=uid, empowered=9, unsanctioned_tools=9)
    frame = pulse.summary(org.db, actor_id=org.manager)
    dig = row(frame, "2026Q4", "DIG")
    assert not dig["shown"] and dig["note"] == "fewer than 5 answers"
    assert dig["answers"] is None or dig["answers"] != dig["answers"]  # None or NaN: not even the count
    assert all(dig[f"share_{s}"] is None or dig[f"share_{s}"] != dig[f"share_{s}"] for s in pulse.SEGMENTS)
    hidden_too = [row(frame, "2026Q4", g) for g in ("CC", "ST")]
    assert sum(not r["shown"] for r in hidden_too) == 1
    assert any("cannot be worked out" in r["note"] for r in hidden_too)
    assert row(frame, "2026Q4", pulse.WHOLE_ORGANISATION)["answers"] == 15


def test_a_quarter_with_fewer_than_5_answers_in_all_shows_nothing_but_the_note(org):
    at(org.db, Q3)
    for uid in (org.frontline, org.frontline_b, org.manager, org.it):
        pulse.answer(org.db, actor_id=uid, empowered=9, unsanctioned_tools=3)
    frame = pulse.summary(org.db, actor_id=org.admin)
    assert set(frame["quarter"]) == {"2026Q3"}
    assert not frame["shown"].any()
    assert set(frame["note"]) == {"fewer than 5 answers"}
    assert frame["share_HERO"].isna().all() and frame["mean_empowered"].isna().all()


def test_the_team_is_the_one_at_the_time_of_answering(org):
    at(org.db, Q3)
    pulse.answer(org.db, actor_id=org.frontline, empowered=9, unsanctioned_tools=3)
    people.set_team(org.db, actor_id=None, email="fran@example.com", team_code="ST")
    at(org.db, Q4)
    pulse.answer(org.db, actor_id=org.frontline, empowered=9, unsanctioned_tools=3)
    with org.db.read() as s:
        teams = [
            r.team_id for r in s.execute(select(PulseResponse).order_by(PulseResponse.quarter)).scalars()
        ]
    assert teams[0] != teams[1]


def test_the_summary_never_names_a_person(org):
    at(org.db, Q4)
    for uid in (org.frontline, org.frontline_b, org.manager, org.it, org.executive, org.admin):
        pulse.answer(org.db, actor_id=uid, empowered=9, unsanctioned_tools=3)
    frame = pulse.summary(org.db, actor_id=org.admin)
    values = frame.to_csv(header=False, index=False)
    for name in ("Fran", "Frank", "Mia", "Ivan", "Eve", "Ada", "@example.com"):
        assert name not in values
    assert list(frame.columns) == list(pulse.SUMMARY_COLUMNS)
