"""Moving a suggestion-box spreadsheet in and out as CSV.

Import is all-or-nothing: every row is checked first and every problem is reported with its row number (as a
spreadsheet shows it: the header is row 1), column, value and reason; only a clean file is stored, in one
transaction, each idea with an audit entry recording its imported history.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import select

from hero_core import audit, config, dates, lifecycle, permissions
from hero_core.db import Database
from hero_core.errors import ImportRejected
from hero_core.models import Idea, IdeaMetric, IdeaPilotTeam, Metric, Team, User
from hero_core.services import ideas as idea_rules
from hero_core.services.common import actor_ref, clean_text, load_actor
from hero_core.services.ideas import IdeaFilter
from hero_core.vocab import ProblemKind, State, Touchpoint, parse_enum

COLUMNS = (
    "title", "roadblock", "proposal", "submitter_email", "team", "touchpoint", "category",
    "involves_technology", "submitted_at", "state", "launch_date", "pilot_teams", "target_metrics",
)
#: The export adds the id, and the original a merged duplicate was merged into (empty for a live idea); the
#: import accepts both columns and ignores them.
EXPORT_COLUMNS = ("id", *COLUMNS, "merged_into")
REQUIRED = ("title", "roadblock", "proposal", "submitter_email", "team", "touchpoint", "category", "state")
TRUE_WORDS = {"yes", "y", "true", "t", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "f", "0", ""}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 200_000
DATE_COLUMNS = ("submitted_at", "launch_date")
#: How to choose the order of day and month (hero_core/dates.py reads the dates): `hero ideas import` has
#: --dayfirst only; the Administration page offers both orders.
CHOOSE_ORDER = {"cli": "use --dayfirst", "web": dates.CHOOSE_ORDER["web"]}


def _unquote_formula(value: str) -> str:
    """Undo the export's formula neutralisation so an exported file imports back unchanged."""
    if len(value) >= 2 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def neutralise(value: object) -> object:
    """Make a cell safe for spreadsheets: text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# ---- import ------------------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict


def _read_csv(path: str | Path | None, content: bytes | None) -> tuple[list[str], list[list[str]]]:
    if content is None:
        try:
            content = Path(path).read_bytes()  # type: ignore[arg-type]
        except FileNotFoundError:
            raise ImportRejected([f"file {path} does not exist"]) from None
        except IsADirectoryError:
            raise ImportRejected([f"{path} is a folder, not a CSV file"]) from None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise ImportRejected([f"row {line}: the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"]) \
            from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportRejected([f"row {line}: the file contains NUL bytes; it is not a CSV text file"])
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportRejected([f"the file is not valid CSV: {exc}"]) from None
    if not rows:
        raise ImportRejected(["the file is empty; expected a header row: " + ",".join(COLUMNS)])
    header = [h.strip().lower() for h in rows[0]]
    return header, rows[1:]


def _check_header(header: list[str]) -> list[str]:
    problems = []
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in EXPORT_COLUMNS]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if missing:
        problems.append(f"row 1: missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"row 1: unknown column(s) {', '.join(repr(u) for u in unknown)}; "
                        f"expected {','.join(COLUMNS)}")
    if dupes:
        problems.append(f"row 1: column(s) {', '.join(dupes)} appear more than once")
    return problems


def import_ideas_csv(
    db: Database,
    *,
    actor_id: int | None,
    path: str | Path | None = None,
    content: bytes | None = None,
    dayfirst: bool | None = None,
    source_name: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    via: str = "cli",
) -> int:
    """Import every row of a CSV of ideas, or none; return how many were imported.

    `via` ("cli" or "web") says where the file came from, so that a problem names the fix in the words of that
    place (`hero users add`, or the Administration page's Users tab)."""
    report = progress or (lambda fraction, message: None)
    source = source_name or (Path(path).name if path else "upload")
    report(0.0, "reading the file")
    with db.read() as s:  # who asks comes first: a refused person learns nothing about their file
        permissions.require(load_actor(s, actor_id), "import_ideas")
    header, raw_rows = _read_csv(path, content)
    problems = _check_header(header)
    if problems:
        raise ImportRejected(problems)
    if len(raw_rows) > MAX_ROWS:
        raise ImportRejected([f"the file has {len(raw_rows)} rows; at most {MAX_ROWS} can be imported at once"])
    rows: list[_Row] = []
    for offset, raw in enumerate(raw_rows):
        number = offset + 2
        if not any(cell.strip() for cell in raw):
            continue  # blank lines are not ideas
        if len(raw) != len(header):
            problems.append(f"row {number}: has {len(raw)} cells but the header has {len(header)}")
            continue
        rows.append(_Row(number, {h: _unquote_formula(v) for h, v in zip(header, raw, strict=True)}))
    if not rows and not problems:
        raise ImportRejected(["the file has a header but no rows of ideas"])

    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "import_ideas")
        report(0.1, "checking every row")
        users = {e: (i, t) for e, i, t in s.execute(select(User.email, User.id, User.team_id))}
        teams = {c.lower(): (i, c) for c, i in s.execute(select(Team.code, Team.id))}
        metrics = set(s.execute(select(Metric.code)).scalars())
        # Day and month are read in one order for the whole file: the one chosen, or the one its dates allow.
        reading = _Reading(dates.file_order((r.values[c] for r in rows for c in DATE_COLUMNS), dayfirst),
                           CHOOSE_ORDER.get(via, CHOOSE_ORDER["cli"]), db.now().date())
        parsed = []
        for row in rows:
            item, row_problems = _parse_row(row, users, teams, metrics, reading, ADD_FIRST.get(via, ADD_FIRST["cli"]))
            problems.extend(row_problems)
            if not row_problems:
                parsed.append((row, item))
        if problems:
            raise ImportRejected(problems, total=len(problems))
        report(0.4, f"storing {len(parsed)} ideas")
        now = db.now()
        clocks = lifecycle.Clocks.of(config.settings())
        aid, aemail = actor_ref(actor)
        for done, (row, item) in enumerate(parsed, start=1):
            idea = _build_idea(item, now, clocks)
            s.add(idea)
            s.flush()
            audit.record(
                s, at=now, actor_id=aid, actor_email=aemail, action="imported", entity_type="idea",
                entity_id=idea.id,
                after={"state": idea.state, "submitted_at": item["submitted_at"], "launch_date": item["launch_date"],
                       "pilot_teams": item["pilot_codes"], "source": source, "row": row.number, "version": 1},
                reason=f"imported from {source}, row {row.number}",
            )
            if done % 200 == 0:
                report(0.4 + 0.6 * done / len(parsed), f"stored {done} of {len(parsed)}")
        report(1.0, f"imported {len(parsed)} ideas")
        return len(parsed)


#: How to add a person or a team the file names but the compact does not know, where the import came from.
ADD_FIRST = {
    "cli": {"person": "add the person first (hero users add)", "team": "add it first (hero teams add)"},
    "web": {"person": "add the person first (Administration, Users tab)",
            "team": "add it first (Administration, Teams tab)"},
}


@dataclass(frozen=True)
class _Reading:
    dayfirst: bool | None  # the file's order of day and month (None: neither chosen nor settled by the file)
    choose: str  # how to choose it, in the words of where the file came from
    today: date


def _parse_row(row: _Row, users, teams, metrics, reading: _Reading,
               add_first: dict[str, str]) -> tuple[dict, list[str]]:
    v = row.values
    problems: list[str] = []

    def bad(column: str, reason: str) -> None:
        value = v.get(column, "")
        shown = value if len(value) <= 60 else value[:57] + "..."
        problems.append(f"row {row.number}, column {column}, value {shown!r}: {reason}")

    for column in REQUIRED:
        if not v[column].strip():
            bad(column, "is required")
    item: dict = {}
    for column, label, lo, hi, single in (
        ("title", "title", 5, 200, True), ("roadblock", "roadblock", 10, 10_000, False),
        ("proposal", "proposal", 10, 10_000, False),
    ):
        if v[column].strip():
            text, problem = clean_text(v[column], label, min_len=lo, max_len=hi, single_line=single)
            if problem:
                bad(column, problem.removeprefix(label + " "))
            item[column] = text
    email = v["submitter_email"].strip().lower()
    if email:
        if email not in users:
            bad("submitter_email", f"no user with this email; {add_first['person']}")
        else:
            item["submitter_id"] = users[email][0]
    code = v["team"].strip().lower()
    if code:
        if code not in teams:
            bad("team", f"unknown team; {add_first['team']}")
        else:
            item["team_id"] = teams[code][0]
    for column, enum_cls, label in (("touchpoint", Touchpoint, "touch point"),
                                    ("category", ProblemKind, "performance problem")):
        if v[column].strip():
            try:
                item[column] = parse_enum(enum_cls, v[column], label).value
            except ValueError:
                bad(column, f"is not one of: {', '.join(m.value for m in enum_cls)}")
    tech = v["involves_technology"].strip().lower()
    if tech in TRUE_WORDS:
        item["involves_technology"] = True
    elif tech in FALSE_WORDS:
        item["involves_technology"] = False
    else:
        bad("involves_technology", "must be yes or no")
    state = None
    if v["state"].strip():
        try:
            state = parse_enum(State, v["state"], "state")
            item["state"] = state
        except ValueError:
            bad("state", f"is not one of: {', '.join(s.value for s in State)}")
    item["submitted_at"] = None
    if v["submitted_at"].strip():
        try:
            item["submitted_at"] = dates.read_moment(v["submitted_at"], dayfirst=reading.dayfirst,
                                                     choose=reading.choose)
        except dates.DateRefused as exc:
            bad("submitted_at", str(exc))
    elif state is not None and state != State.DRAFT:
        bad("submitted_at", f"is required for an idea that is {state.value}")
    item["launch_date"] = None
    launched = state in lifecycle.LAUNCHED_STATES
    if v["launch_date"].strip():
        try:
            item["launch_date"] = dates.read_day(v["launch_date"], dayfirst=reading.dayfirst, choose=reading.choose)
        except dates.DateRefused as exc:
            bad("launch_date", str(exc))
        if state is not None and not launched:
            bad("launch_date", f"is only kept for piloting, scaling or scaled ideas, not {state.value}")
    elif launched:
        bad("launch_date", f"is required for an idea that is {state.value}")
    pilot_codes = [c.strip() for c in v["pilot_teams"].split(";") if c.strip()]
    item["pilot_codes"] = []
    item["pilot_ids"] = []
    for c in pilot_codes:
        if c.lower() not in teams:
            problems.append(f"row {row.number}, column pilot_teams, value {c!r}: unknown team")
        elif teams[c.lower()][0] not in item["pilot_ids"]:
            item["pilot_ids"].append(teams[c.lower()][0])
            item["pilot_codes"].append(teams[c.lower()][1])
    if launched and not pilot_codes:
        bad("pilot_teams", f"at least one pilot team is required for an idea that is {state.value}")
    if pilot_codes and state is not None and not launched:
        bad("pilot_teams", f"are only kept for piloting, scaling or scaled ideas, not {state.value}")
    item["metrics"] = []
    for c in (m.strip().lower() for m in v["target_metrics"].split(";")):
        if not c:
            continue
        if c not in metrics:
            problems.append(f"row {row.number}, column target_metrics, value {c!r}: not in the metric catalog")
        elif c not in item["metrics"]:
            item["metrics"].append(c)
    if item["launch_date"] and launched:
        # The services' rule for a launch date (hero_core/lifecycle.py): not before the idea was submitted (an
        # imported idea has no approval on record), not more than a year ahead.
        refused = lifecycle.launch_date_problem(lifecycle.IdeaClock(submitted_at=item.get("submitted_at")),
                                                item["launch_date"], reading.today)
        if refused:
            bad("launch_date", refused[0])
    return item, problems


#: The columns of an imported idea's row that hero_core/lifecycle.py writes.
_CLOCK_COLUMNS = ("review_round", "review_started_at", "review_start_due", "decision_due", "it_claim_due",
                  "piloted_at")


def _build_idea(item: dict, now: datetime, clocks: lifecycle.Clocks) -> Idea:
    state: State = item["state"]
    submitted = item["submitted_at"]
    created = submitted or now
    idea = Idea(
        title=item["title"], roadblock=item["roadblock"], proposal=item["proposal"], touchpoint=item["touchpoint"],
        category=item["category"], involves_technology=item["involves_technology"], expected_benefit="",
        submitter_id=item["submitter_id"], team_id=item["team_id"], state=state.value, created_at=created,
        updated_at=now, submitted_at=submitted, launch_date=item["launch_date"], it_plan="", it_blockers="",
        last_reason="",
    )
    # Only what the file tells is recorded; stage dates it does not give stay unknown, except that the
    # service-level clocks of ideas still waiting start from what we know, as the workflow's steps start them.
    clock = lifecycle.IdeaClock(state=state.value, submitted_at=submitted)
    if state in lifecycle.REVIEWING_STATES and submitted:
        clock = clock.apply(lifecycle.effects("submit", clock, submitted, clocks) | {"state": state.value})
    if state == State.AWAITING_IT:
        clock = clock.apply(lifecycle.effects("route_to_it", clock, now, clocks))
    if item["launch_date"]:
        clock = clock.apply(lifecycle.effects("start_pilot", clock, datetime.combine(item["launch_date"], time(),
                                                                                    tzinfo=UTC), clocks))
    for name in _CLOCK_COLUMNS:
        setattr(idea, name, getattr(clock, name))
    idea.metric_rows = [IdeaMetric(metric_code=c) for c in item["metrics"]]
    idea.pilot_rows = [IdeaPilotTeam(team_id=t) for t in item["pilot_ids"]]
    return idea


# ---- export ------------------------------------------------------------------------------------------------


def export_rows(db: Database, *, actor_id: int | None = None, flt: IdeaFilter | None = None) -> list[dict]:
    """Ideas as export rows (id first, then the columns the import reads), oldest first; a merged duplicate
    names its original in merged_into. Only people allowed "export_ideas" may export.

    Without `flt`: every idea except drafts (`hero ideas export`). With `flt`: every idea Browse ideas lists for
    that filter, on every page, by the same rule (hero_core.services.ideas), except drafts too: a draft is its
    author's own and may lack what the import requires, so the file always imports back."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "export_ideas")
        chosen = select(Idea.id).where(Idea.state != State.DRAFT.value)
        if flt is not None:
            chosen = idea_rules.filtered_ideas(chosen, actor, idea_rules.clean_filter(flt))
        chosen_ids = chosen.scalar_subquery()
        pilots: dict[int, list[str]] = {}
        for idea_id, code in s.execute(
            select(IdeaPilotTeam.idea_id, Team.code).join(Team, Team.id == IdeaPilotTeam.team_id)
            .where(IdeaPilotTeam.idea_id.in_(chosen_ids)).order_by(Team.code)
        ):
            pilots.setdefault(idea_id, []).append(code)
        metric_codes: dict[int, list[str]] = {}
        for idea_id, code in s.execute(select(IdeaMetric.idea_id, IdeaMetric.metric_code)
                                       .where(IdeaMetric.idea_id.in_(chosen_ids)).order_by(IdeaMetric.metric_code)):
            metric_codes.setdefault(idea_id, []).append(code)
        # Columns, not ORM objects: an Idea object would also load its metrics, pilots and submitter's roles.
        ideas_stmt = (
            select(Idea.id, Idea.title, Idea.roadblock, Idea.proposal, User.email, Team.code, Idea.touchpoint,
                   Idea.category, Idea.involves_technology, Idea.submitted_at, Idea.state, Idea.launch_date,
                   Idea.merged_into_id)
            .join(User, User.id == Idea.submitter_id).join(Team, Team.id == Idea.team_id)
            .where(Idea.id.in_(chosen_ids)).order_by(Idea.id)
        )
        return [{
            "id": r.id, "title": r.title, "roadblock": r.roadblock, "proposal": r.proposal,
            "submitter_email": r.email, "team": r.code, "touchpoint": r.touchpoint, "category": r.category,
            "involves_technology": "yes" if r.involves_technology else "no",
            "submitted_at": r.submitted_at.strftime("%Y-%m-%dT%H:%M:%SZ") if r.submitted_at else "",
            "state": r.state, "launch_date": r.launch_date.isoformat() if r.launch_date else "",
            "pilot_teams": ";".join(pilots.get(r.id, [])), "target_metrics": ";".join(metric_codes.get(r.id, [])),
            "merged_into": r.merged_into_id or "",
        } for r in s.execute(ideas_stmt)]


def export_ideas_csv(db: Database, *, path: str | Path, actor_id: int | None = None) -> int:
    rows = export_rows(db, actor_id=actor_id)
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: neutralise(v) for k, v in row.items()})
    tmp.replace(target)  # a reader never sees half a file
    return len(rows)

