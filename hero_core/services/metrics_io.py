"""Importing metric observations from CSV or XLSX: check every row, then store all of them or none.

A file's header is ``metric,team,date,value[,sample_size]`` (metric and team by code). Problems are reported
with the row number a spreadsheet shows (the header is row 1), the column, the value and the reason; the
first 50 are listed with the total count. Validation works on whole columns (pandas and pandera), codes are
mapped to ids with dictionaries, each distinct date text is parsed once, and the rows are stored with the
driver's own bulk path (sqlite3 executemany, PostgreSQL COPY) inside the same transaction as the audit entry,
so a million rows take about as long as a bare executemany of them.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as arrow
import pyarrow.compute as arrow_compute
import pyarrow.csv as arrow_csv
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hero_core import audit, cache, permissions, xlsx
from hero_core.dates import CHOOSE_ORDER, DateRefused, file_order, read_day
from hero_core.db import Database
from hero_core.errors import ImportRejected
from hero_core.models import Metric, Observation, Team
from hero_core.services.common import actor_ref, load_actor
from hero_core.services.observations import EPOCH, day_number_sql, rows_written

if TYPE_CHECKING:
    import pandera.pandas as pa

COLUMNS = ("metric", "team", "date", "value", "sample_size")
REQUIRED = COLUMNS[:4]
HEADER_HINT = "the header must be metric,team,date,value[,sample_size]"
SHOWN_PROBLEMS = 50
MAX_ROWS = 5_000_000
BATCH_ROWS = 100_000

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ImportProblem:
    row: int  # as a spreadsheet shows it: the header is row 1
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        if self.row == 0:  # the file as a whole
            return f"file {self.value!r}: {self.reason}" if self.value else f"file: {self.reason}"
        return f"row {self.row}, column {self.column}, value {self.value!r}: {self.reason}"


class ObservationsRejected(ImportRejected):
    """ImportRejected with the problems also as structured rows (for a table on the admin page)."""

    def __init__(self, problems: list[ImportProblem], total: int | None = None):
        self.details = list(problems[:SHOWN_PROBLEMS])
        super().__init__([str(p) for p in self.details], total=len(problems) if total is None else total)


_COLUMN_ORDER = ("-", "metric", "team", "date", "value", "sample_size", "metric,team,date")


@dataclass
class _Problems:
    """Row problems kept as arrays of positions: a file with a million bad rows is counted in full, but only
    the first SHOWN_PROBLEMS (by row, then column) are ever turned into messages. A cell is reported once,
    by the first check that fails it."""

    rows: np.ndarray  # spreadsheet row number of each position
    parts: list[tuple[np.ndarray, str, Callable[[int], ImportProblem]]] = field(default_factory=list)

    def add(self, positions: np.ndarray, column: str, make: Callable[[int], ImportProblem]) -> None:
        if len(positions):
            self.parts.append((np.asarray(positions, dtype=np.int64), column, make))

    def __bool__(self) -> bool:
        return bool(self.parts)

    def rejected(self) -> ObservationsRejected:
        positions = np.concatenate([p for p, _, _ in self.parts])
        rank = np.concatenate([np.full(len(p), _COLUMN_ORDER.index(c)) for p, c, _ in self.parts])
        part = np.concatenate([np.full(len(p), k) for k, (p, _, _) in enumerate(self.parts)])
        cell = positions * len(_COLUMN_ORDER) + rank
        _, first = np.unique(cell, return_index=True)  # first occurrence = earliest part = first check
        order = first[np.lexsort((rank[first], self.rows[positions[first]]))]
        shown = [self.parts[part[k]][2](int(positions[k])) for k in order[:SHOWN_PROBLEMS]]
        return ObservationsRejected(shown, total=len(first))


@dataclass(frozen=True)
class ImportSummary:
    file_name: str
    rows: int  # rows stored
    replaced: int  # stored rows that were deleted first (--replace)
    counts: dict[str, dict[str, int]]  # metric code -> team code -> rows stored


@dataclass(frozen=True)
class _Catalog:
    metric_ids: dict[str, int]  # lower-case code -> id
    metric_codes: dict[int, str]
    bounds: dict[int, tuple[float | None, float | None]]
    team_ids: dict[str, int]  # lower-case code -> id
    team_codes: dict[int, str]


def import_metrics(
    db: Database,
    *,
    source: str | os.PathLike | BinaryIO,
    actor_id: int | None,
    file_name: str | None = None,
    dayfirst: bool | None = None,
    replace: bool = False,
    progress: Progress | None = None,
    via: str = "cli",
) -> ImportSummary:
    """Validate a CSV or XLSX file of observations and store every row, or none and raise ImportRejected.

    `dayfirst` None means the person has not said: then 03/04/2025 is refused as ambiguous unless the
    column itself settles the order (another row reads 13/04/2025, say). With `replace`, stored rows for the
    same metric, team and date are overwritten instead of refused. `via` ("cli" or "web") names how to ask for
    that in the words of where the file came from (--replace, or the page's checkbox).
    """
    report = progress or (lambda fraction, message: None)
    name = file_name or (Path(source).name if isinstance(source, (str, os.PathLike)) else "upload")
    report(0.0, f"reading {name}")
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "import_metrics")
        catalog = _load_catalog(s)

    raw, rows = read_table(source, name)
    report(0.15, f"checking {len(raw):,} rows")
    frame, problems = _validate(raw, rows, catalog, dayfirst, CHOOSE_ORDER.get(via, CHOOSE_ORDER["cli"]))
    _refuse_future_days(frame, raw, rows, problems, db.now().date())
    report(0.35, "comparing with stored observations")

    if problems:
        if not replace:  # report the clashes too, so one round of fixes is enough
            with db.read() as s:
                problems.add(_clashes(s, frame)[0], "metric,team,date", _clash_problem(raw, rows, via))
        raise problems.rejected()

    # SQLite's per-row foreign-key lookups are switched off for this write (a fifth of the insert time); the
    # metric and team ids were looked up before the transaction, so they are checked again inside it.
    with db.write(references_verified=True) as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "import_metrics")
        _check_references(s, frame, raw, rows, problems)
        clash_at, clash_keys = _clashes(s, frame)
        if len(clash_at) and not replace:
            problems.add(clash_at, "metric,team,date", _clash_problem(raw, rows, via))
            raise problems.rejected()
        replaced = _delete(s, clash_keys) if len(clash_keys) else 0
        report(0.4, f"storing {len(frame):,} rows")
        _store(
            s,
            frame,
            lambda done: report(
                0.4 + 0.55 * done / max(len(frame), 1), f"stored {done:,} of {len(frame):,} rows"
            ),
        )
        # The derived rows follow in the same transaction: the weekly sums of the weeks written, and the
        # stored impact verdicts whose windows cover those days (recomputed by impact_store.refresh).
        report(0.96, "updating the weekly sums")
        rows_written(s, metric_id=frame["metric_id"].to_numpy(), team_id=frame["team_id"].to_numpy(),
                     day=frame["day"].to_numpy(), value=frame["value"].to_numpy())
        counts = _counts(frame, catalog)
        aid, aemail = actor_ref(actor)
        audit.record(
            s,
            at=db.now(),
            actor_id=aid,
            actor_email=aemail,
            action="metrics_imported",
            entity_type="observations",
            entity_id=name[:60],
            after={"file": name, "rows": len(frame), "replaced": replaced, "counts": counts},
        )
    report(1.0, f"stored {len(frame):,} rows from {name}")
    return ImportSummary(file_name=name, rows=len(frame), replaced=replaced, counts=counts)


def stored_summary(db: Database, *, actor_id: int | None) -> pd.DataFrame:
    """What is stored, per metric: teams, observations, first and last day. Read from the weekly sums, and the
    first and last day from index seeks on the teams of the first and last week; cached until the next audited
    change (every import writes one), so the admin page's reruns do not scan at all."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "import_metrics")
        rows = cache.cached(s, ("stored_summary",), lambda: tuple(_stored_summary(s)))
    return pd.DataFrame(list(rows), columns=["metric", "teams", "observations", "first_day", "last_day"])


def _stored_summary(s: Session) -> list[tuple]:
    """(metric, teams, observations, first day, last day) per metric with observations."""
    counts = s.execute(text(
        "SELECT m.code, w.metric_id, COUNT(DISTINCT w.team_id), SUM(w.n_days), MIN(w.week), MAX(w.week) "
        "FROM observation_weeks w JOIN metrics m ON m.id = w.metric_id GROUP BY m.code, w.metric_id "
        "ORDER BY m.code"
    )).all()
    edge = ("SELECT {agg}((SELECT {agg}(o.day) FROM observations o WHERE o.metric_id = w.metric_id "
            "AND o.team_id = w.team_id)) FROM observation_weeks w WHERE w.metric_id = :m AND w.week = :week")
    first_day, last_day = text(edge.format(agg="MIN")), text(edge.format(agg="MAX"))
    rows = []
    for code, metric_id, teams, n, first_week, last_week in counts:
        first = s.execute(first_day, {"m": metric_id, "week": first_week}).scalar()
        last = s.execute(last_day, {"m": metric_id, "week": last_week}).scalar()
        rows.append((code, int(teams), int(n), str(first), str(last)))
    return rows


# ---- reading the file --------------------------------------------------------------------------------------


def read_table(source: str | os.PathLike | BinaryIO, name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The file's cells as text columns named COLUMNS (sample_size "" when absent), and each row's number.

    Entirely blank rows are skipped (they keep their numbers, so the numbers still match the spreadsheet).
    """
    if isinstance(source, (str, os.PathLike)) and not Path(source).is_file():
        raise ObservationsRejected([ImportProblem(0, "-", str(source), "does not exist or is not a file")])
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        data = source.read() if hasattr(source, "read") else Path(source).read_bytes()
        raw, rows = _read_csv(data)
    elif suffix in (".xlsx", ".xlsm"):
        raw, rows = _read_xlsx(source, name)
    else:
        raise ObservationsRejected([ImportProblem(0, "-", name, "is not a .csv or .xlsx file")])
    if "sample_size" not in raw:
        raw["sample_size"] = pd.Series([""] * len(raw), dtype="str", index=raw.index)
    blank = np.ones(len(raw), dtype=bool)
    for c in COLUMNS:
        blank &= _blank(raw[c])
    if blank.any():
        raw, rows = raw.loc[~blank].reset_index(drop=True), rows[~blank]
    if len(raw) == 0:
        raise ObservationsRejected([ImportProblem(2, "-", "", "the file has no data rows")])
    if len(raw) > MAX_ROWS:
        raise ObservationsRejected(
            [
                ImportProblem(
                    int(rows[MAX_ROWS]),
                    "-",
                    "",
                    f"the file has {len(raw):,} rows; split it into files of at most {MAX_ROWS:,}",
                )
            ]
        )
    return raw[list(COLUMNS)], rows


def _blank(column: pd.Series) -> np.ndarray:
    """True where a cell is empty or only spaces (computed by Arrow, fast on a million cells; measured:
    docs/measurements.md)."""
    trimmed = arrow_compute.utf8_trim_whitespace(arrow.array(column))
    return _to_numpy(arrow_compute.fill_null(arrow_compute.equal(trimmed, ""), True))


def _to_numpy(values: arrow.Array | arrow.ChunkedArray) -> np.ndarray:
    if isinstance(values, arrow.ChunkedArray):
        values = values.combine_chunks()
    return values.to_numpy(zero_copy_only=False)


def _header(cells: list[object]) -> list[str]:
    names = [str(c if c is not None else "").strip().lstrip("\ufeff").strip().lower() for c in cells]
    problems = []
    if len(names) == 1 and ";" in names[0]:
        raise ObservationsRejected(
            [
                ImportProblem(
                    1, "A", names[0], "the cells are separated by ';'; save the file as comma-separated CSV"
                )
            ]
        )
    for i, n in enumerate(names):
        if n not in COLUMNS:
            problems.append(
                ImportProblem(1, _column_letter(i), n, f"is not an expected column; {HEADER_HINT}")
            )
        elif names.index(n) != i:
            problems.append(ImportProblem(1, _column_letter(i), n, "appears twice in the header"))
    problems.extend(ImportProblem(1, n, "", f"the column is missing; {HEADER_HINT}")
                    for n in REQUIRED if n not in names)
    if problems:
        raise ObservationsRejected(problems)
    return names


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _read_csv(data: bytes) -> tuple[pd.DataFrame, np.ndarray]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ObservationsRejected(
            [
                ImportProblem(
                    0,
                    "-",
                    "",
                    f"the file is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as CSV UTF-8",
                )
            ]
        ) from None
    first_line = text.split("\n", 1)[0].rstrip("\r")
    names = _header(next(csv.reader([first_line]), []))
    try:
        table = arrow_csv.read_csv(
            io.BytesIO(data),
            read_options=arrow_csv.ReadOptions(skip_rows=1, column_names=names),
            parse_options=arrow_csv.ParseOptions(ignore_empty_lines=False),
            convert_options=arrow_csv.ConvertOptions(
                column_types={n: arrow.string() for n in names}, strings_can_be_null=False
            ),
        )
    except arrow.ArrowInvalid:
        # A row with the wrong number of cells, or a quoted line break: read it the slow, exact way.
        return _read_csv_exact(text, names)
    # Arrow-backed columns: no copy now, and factorize/cast/trim below stay in Arrow's C++, much faster than
    # Python objects (measured: docs/measurements.md).
    raw = table.to_pandas(types_mapper=pd.ArrowDtype)
    return raw, np.arange(2, len(raw) + 2)


def _read_csv_exact(text: str, names: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    records = csv.reader(io.StringIO(text, newline=""))
    next(records, None)
    cells: list[list[str]] = []
    rows: list[int] = []
    problems: list[ImportProblem] = []
    for number, record in enumerate(records, start=2):
        if not any(c.strip() for c in record):
            continue
        if len(record) != len(names):
            problems.append(
                ImportProblem(
                    number,
                    "-",
                    ",".join(record)[:80],
                    f"has {len(record)} cells; the header has {len(names)}",
                )
            )
            continue
        cells.append(record)
        rows.append(number)
    if problems:
        raise ObservationsRejected(problems)
    raw = (
        pd.DataFrame(cells, columns=names, dtype="str")
        if cells
        else pd.DataFrame({n: pd.Series([], dtype="str") for n in names})
    )
    return raw, np.asarray(rows, dtype=np.int64)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(source: str | os.PathLike | BinaryIO, name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The first sheet's cells as text, streamed (hero_core.xlsx checks the archive first and stops at MAX_ROWS);
    rows are gathered into Arrow columns a chunk at a time, so a million rows never sit in Python lists."""
    try:
        return _read_sheet(xlsx.sheet_rows(source, name, max_rows=MAX_ROWS))
    except xlsx.XlsxRefused as exc:
        whole_file = exc.row == 0
        problem = ImportProblem(exc.row, "-", name if whole_file else "",
                                exc.reason if whole_file else f"{name}: {exc.reason}")
        raise ObservationsRejected([problem]) from None


def _read_sheet(records: Iterator[tuple[int, tuple]]) -> tuple[pd.DataFrame, np.ndarray]:
    first = next(records, None)
    if first is None:
        raise ObservationsRejected([ImportProblem(1, "-", "", f"the sheet is empty; {HEADER_HINT}")])
    number, header = first
    header = list(header) if number == 1 else []  # the header is row 1, as in a CSV file
    while header and header[-1] is None:
        header.pop()
    names = _header(header)
    width = len(names)
    columns: list[list[str]] = [[] for _ in names]
    chunks: list[list[arrow.Array]] = [[] for _ in names]
    rows: list[int] = []
    problems: list[ImportProblem] = []
    problem_count = 0
    for number, record in records:
        extra = record[width:]
        if extra.count(None) != len(extra):
            stray = next((i for i, v in enumerate(extra) if _cell_text(v).strip()), None)
            if stray is not None:
                problem_count += 1
                if len(problems) < SHOWN_PROBLEMS:
                    problems.append(ImportProblem(number, _column_letter(width + stray),
                                                  _cell_text(extra[stray]),
                                                  f"is beyond the header's {width} columns"))
                continue
        texts = [_cell_text(v) for v in record[:width]]
        if not any(t.strip() for t in texts):
            continue
        texts += [""] * (width - len(texts))
        for column, cell in zip(columns, texts, strict=True):
            column.append(cell)
        rows.append(number)
        if len(columns[0]) == BATCH_ROWS:
            _flush(columns, chunks)
    if problems:
        raise ObservationsRejected(problems, total=problem_count)
    _flush(columns, chunks)
    table = arrow.table(
        {n: arrow.chunked_array(c, type=arrow.string()) for n, c in zip(names, chunks, strict=True)}
    )
    return table.to_pandas(types_mapper=pd.ArrowDtype), np.asarray(rows, dtype=np.int64)


def _flush(columns: list[list[str]], chunks: list[list[arrow.Array]]) -> None:
    for column, chunk in zip(columns, chunks, strict=True):
        if column:
            chunk.append(arrow.array(column, type=arrow.string()))
            column.clear()


# ---- checking it -------------------------------------------------------------------------------------------


def _load_catalog(s: Session) -> _Catalog:
    metrics = s.execute(select(Metric.id, Metric.code, Metric.min_value, Metric.max_value)).all()
    teams = s.execute(select(Team.id, Team.code)).all()
    return _Catalog(
        metric_ids={m.code.lower(): m.id for m in metrics},
        metric_codes={m.id: m.code for m in metrics},
        bounds={m.id: (m.min_value, m.max_value) for m in metrics},
        team_ids={t.code.lower(): t.id for t in teams},
        team_codes={t.id: t.code for t in teams},
    )


def _lookup(column: pd.Series, mapping: dict[str, int]) -> np.ndarray:
    """Ids for codes (case and spaces ignored); -1 where unknown. Each distinct text is looked up once."""
    codes, uniques = pd.factorize(column)
    ids = np.array([mapping.get(str(u).strip().lower(), -1) for u in uniques] + [-1], dtype=np.int64)
    return ids[codes]


def _numbers(column: pd.Series) -> np.ndarray:
    """Floats; NaN where the text is not a number (or is empty)."""
    try:
        return _to_numpy(arrow_compute.cast(arrow.array(column), arrow.float64()))
    except (arrow.ArrowInvalid, arrow.ArrowNotImplementedError):
        codes, uniques = pd.factorize(column)
        values = pd.to_numeric(pd.Series(uniques, dtype="str").str.strip(), errors="coerce").to_numpy(float)
        return np.append(values, np.nan)[codes]


@dataclass(frozen=True)
class _ParsedDates:
    day: np.ndarray  # days since 1970-01-01 as int64; -1 where unreadable
    reason: np.ndarray  # object array: why a date is unreadable ("" when fine)


def parse_dates(column: pd.Series, *, dayfirst: bool | None, choose: str = CHOOSE_ORDER["cli"]) -> _ParsedDates:
    """Read a column of date texts by the importers' one rule (hero_core/dates.py), each distinct text once.

    Numeric day/month dates (03/04/2025) follow `dayfirst` when given; otherwise the column settles the order
    when some value can only be read one way (13/04/2025) and none the other; otherwise a date whose two
    leading numbers could both be the month is refused as ambiguous, saying how to write it (`choose`: how to
    pick the order, in the words of where the file came from).
    """
    codes, uniques = pd.factorize(column)
    texts = pd.Series(uniques, dtype="str").tolist()
    order = file_order(texts, dayfirst)
    days = np.full(len(texts) + 1, -1, dtype=np.int64)
    reasons = np.full(len(texts) + 1, "", dtype=object)
    reasons[-1] = "is empty; a date is required"  # where factorize puts a missing cell (code -1)
    for i, written in enumerate(texts):
        try:
            days[i] = _day(read_day(written, dayfirst=order, choose=choose))
        except DateRefused as refused:
            reasons[i] = str(refused)
    return _ParsedDates(day=days[codes], reason=reasons[codes])


def _day(d: date) -> int:
    return (d - EPOCH).days


def _schema(low: np.ndarray, high: np.ndarray) -> pa.DataFrameSchema:
    """The row rules on the typed frame; `low`/`high` are each row's metric bounds (NaN: unbounded)."""
    import pandera.pandas as pa  # only when a file is validated: memory an app server otherwise never uses

    def within_metric_range(value: pd.Series) -> pd.Series:
        # (Do not name a check function `in_range`: pandera 0.35 takes it for its built-in check.)
        # The frame has a RangeIndex, so the index picks each row's bounds even if nulls were dropped.
        v, at = value.to_numpy(), value.index.to_numpy()
        return pd.Series(np.isnan(v) | ~((v < low[at]) | (v > high[at])), index=value.index)

    return pa.DataFrameSchema(
        {
            "key": pa.Column("int64", unique=True, report_duplicates="exclude_first"),
            "metric_id": pa.Column("int64", pa.Check(lambda v: v >= 0, name="known_metric")),
            "team_id": pa.Column("int64", pa.Check(lambda v: v >= 0, name="known_team")),
            "day": pa.Column("int64", pa.Check(lambda v: v >= 0, name="readable_date")),
            "value": pa.Column(
                float,
                [
                    pa.Check(lambda v: ~np.isinf(v), name="finite"),
                    pa.Check(within_metric_range, name="within_metric_range"),
                ],
                nullable=False,
            ),
            "sample_size": pa.Column(
                float,
                [
                    pa.Check(lambda v: v >= 1, name="positive_sample"),
                    pa.Check(lambda v: v == np.floor(v), name="whole_sample"),
                ],
                nullable=True,
            ),
        },
    )


def load_validator() -> None:
    """Load the validation library and its built-in checks now. They load with the first file a process validates
    otherwise (once; measured: docs/measurements.md): for a benchmark that times the rows, not the loading."""
    empty = pd.DataFrame({"key": pd.Series(dtype="int64"), "metric_id": pd.Series(dtype="int64"),
                          "team_id": pd.Series(dtype="int64"), "day": pd.Series(dtype="int64"),
                          "value": pd.Series(dtype=float), "sample_size": pd.Series(dtype=float)})
    _schema(np.empty(0), np.empty(0)).validate(empty, lazy=True)


def _validate(
    raw: pd.DataFrame, rows: np.ndarray, catalog: _Catalog, dayfirst: bool | None, choose: str
) -> tuple[pd.DataFrame, _Problems]:
    """The typed frame (metric_id, team_id, day, value, sample_size) and its row problems."""
    metric_id = _lookup(raw["metric"], catalog.metric_ids)
    team_id = _lookup(raw["team"], catalog.team_ids)
    dates = parse_dates(raw["date"], dayfirst=dayfirst, choose=choose)
    value = _numbers(raw["value"])
    sample = _numbers(raw["sample_size"])
    sample_given = ~_blank(raw["sample_size"])
    id_order = np.array(sorted(catalog.bounds), dtype=np.int64)
    low_by_id = np.array([_nan(catalog.bounds[i][0]) for i in id_order])
    high_by_id = np.array([_nan(catalog.bounds[i][1]) for i in id_order])
    pos = np.searchsorted(id_order, metric_id).clip(0, max(len(id_order) - 1, 0))
    known = metric_id >= 0
    low = np.where(known, low_by_id[pos] if len(id_order) else np.nan, np.nan)
    high = np.where(known, high_by_id[pos] if len(id_order) else np.nan, np.nan)

    # One int64 key per (metric, team, date) makes the repeat check a single-column hash (rows with an
    # unknown part get a unique negative key, so they never count as repeats).
    key_ok = known & (team_id >= 0) & (dates.day >= 0)
    key = np.where(key_ok, _keys(metric_id, team_id, dates.day), -1 - np.arange(len(raw), dtype=np.int64))
    frame = pd.DataFrame(
        {
            "key": key,
            "metric_id": metric_id,
            "team_id": team_id,
            "day": dates.day,
            "value": value,
            "sample_size": np.where(sample_given, sample, np.nan),
        }
    )
    import pandera.errors

    try:
        _schema(low, high).validate(frame, lazy=True, inplace=True)
        return frame, _Problems(rows)
    except pandera.errors.SchemaErrors as exc:
        failures = exc.failure_cases

    def reason_for_value(i: int) -> str:
        text = str(raw["value"].iat[i]).strip()
        if not text:
            return "is empty; a value is required"
        if np.isnan(value[i]):
            return "is not a number"
        if np.isinf(value[i]):
            return "is not a finite number"
        code = catalog.metric_codes[int(metric_id[i])]
        lo, hi = catalog.bounds[int(metric_id[i])]
        span = (
            f"from {_fmt(lo)} to {_fmt(hi)}"
            if lo is not None and hi is not None
            else (f"at least {_fmt(lo)}" if lo is not None else f"at most {_fmt(hi)}")
        )
        return f"is outside the range of {code} ({span})"

    def first_row_with_same_key(i: int) -> int:
        return int(rows[np.flatnonzero(key == key[i])[0]])

    def cell(column: str, reason: Callable[[int], str]) -> Callable[[int], ImportProblem]:
        return lambda i: ImportProblem(int(rows[i]), column, str(raw[column].iat[i]), reason(i))

    known_teams = sorted(catalog.team_codes.values())
    team_hint = ", ".join(known_teams[:10]) + (
        f" and {len(known_teams) - 10} more" if len(known_teams) > 10 else ""
    )
    metric_hint = ", ".join(sorted(catalog.metric_codes.values()))
    sample_reason = cell("sample_size", lambda i: "must be a whole number of 1 or more")
    explain: dict[str, tuple[str, Callable[[int], ImportProblem]]] = {
        "known_metric": (
            "metric",
            cell("metric", lambda i: f"is not a metric in the catalog (known: {metric_hint})"),
        ),
        "known_team": ("team", cell("team", lambda i: f"is not a team code (known: {team_hint})")),
        "readable_date": (
            "date",
            cell("date", lambda i: dates.reason[i] or "is not a date this importer can read"),
        ),
        "not_nullable": ("value", cell("value", reason_for_value)),
        "finite": ("value", cell("value", reason_for_value)),
        "within_metric_range": ("value", cell("value", reason_for_value)),
        "positive_sample": ("sample_size", sample_reason),
        "whole_sample": ("sample_size", sample_reason),
        "field_uniqueness": (
            "metric,team,date",
            lambda i: ImportProblem(
                int(rows[i]),
                "metric,team,date",
                _key_text(raw, i),
                f"repeats the metric, team and date of row {first_row_with_same_key(i)}",
            ),
        ),
    }
    problems = _Problems(rows)
    for (failed, column), group in failures.groupby(["check", "column"], dropna=False, sort=False):
        check = str(failed).split("(")[0]
        if check == "not_nullable" and column == "sample_size":
            continue
        if check not in explain:
            raise RuntimeError(f"unexplained validation failure {check!r} on {column!r}")
        idx = pd.to_numeric(group["index"], errors="coerce").dropna().to_numpy(np.int64)
        problems.add(np.unique(idx), *explain[check])
    return frame, problems


def _refuse_future_days(frame: pd.DataFrame, raw: pd.DataFrame, rows: np.ndarray, problems: _Problems,
                        today: date) -> None:
    """An observation is of a day that has happened: a row dated after today (the database's clock, UTC) is a
    typing slip that would land in a pilot's measurement window and move its impact estimate."""
    future = np.flatnonzero(frame["day"].to_numpy() > _day(today))
    problems.add(future, "date", lambda i: ImportProblem(
        int(rows[i]), "date", str(raw["date"].iat[i]),
        f"is after today ({today.isoformat()}): observations are of days that have already happened"))


def _check_references(s: Session, frame: pd.DataFrame, raw: pd.DataFrame, rows: np.ndarray,
                      problems: _Problems) -> None:
    """Every metric and team id about to be written still exists, checked inside the write transaction (the
    catalog was read before it) once per distinct id; raise ObservationsRejected naming the rows if not."""
    for column, model, name in (("metric_id", Metric, "metric"), ("team_id", Team, "team")):
        wanted = [int(i) for i in pd.unique(frame[column])]
        found = set(s.execute(select(model.id).where(model.id.in_(wanted))).scalars())
        if len(found) < len(wanted):
            gone = np.flatnonzero(~np.isin(frame[column].to_numpy(), list(found)))
            problems.add(gone, name, lambda i, name=name: ImportProblem(
                int(rows[i]), name, str(raw[name].iat[i]), "was removed while this file was checked"))
    if problems:
        raise problems.rejected()


def _key_text(raw: pd.DataFrame, i: int) -> str:
    return f"{raw['metric'].iat[i]},{raw['team'].iat[i]},{raw['date'].iat[i]}"


#: How to overwrite stored values, in the words of where the import came from (the CLI, or the admin page).
REPLACE_HINT = {
    "cli": "use --replace to overwrite",
    "web": "tick “Replace stored values for the same metric, team and date” to overwrite",
}


def _clash_problem(raw: pd.DataFrame, rows: np.ndarray, via: str = "cli") -> Callable[[int], ImportProblem]:
    return lambda i: ImportProblem(
        int(rows[i]),
        "metric,team,date",
        _key_text(raw, i),
        f"is already stored for this metric, team and date; {REPLACE_HINT.get(via, REPLACE_HINT['cli'])}",
    )


def _nan(x: float | None) -> float:
    return np.nan if x is None else float(x)


def _fmt(x: float | None) -> str:
    return "-" if x is None else (f"{x:g}")


# ---- the stored rows ---------------------------------------------------------------------------------------

_KEY_BITS = 21  # metric, team and day each fit in 21 bits (day numbers until the year 7700)


def _keys(metric_id: np.ndarray, team_id: np.ndarray, day: np.ndarray) -> np.ndarray:
    return (metric_id.astype(np.int64) << (2 * _KEY_BITS)) | (team_id.astype(np.int64) << _KEY_BITS) | day


def _clashes(s: Session, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Positions of rows whose metric, team and date are already stored, and their (metric, team, day) ids."""
    none = (np.array([], dtype=np.int64), np.empty((0, 3), dtype=np.int64))
    valid = ((frame["metric_id"] >= 0) & (frame["team_id"] >= 0) & (frame["day"] >= 0)).to_numpy()
    if not valid.any():
        return none
    m, t, d = (frame[c].to_numpy()[valid] for c in ("metric_id", "team_id", "day"))
    day_no = day_number_sql(s.get_bind().dialect.name)
    stored = s.execute(
        select(Observation.metric_id, Observation.team_id, day_no).where(
            Observation.metric_id.in_(pd.unique(m).tolist()),
            Observation.team_id.in_(pd.unique(t).tolist()),
            Observation.day >= _date(int(d.min())),
            Observation.day <= _date(int(d.max())),
        )
    ).all()
    if not stored:
        return none
    stored_keys = _keys(*(np.asarray(col, dtype=np.int64) for col in zip(*stored, strict=True)))
    hit = np.isin(_keys(m, t, d), stored_keys)
    return np.flatnonzero(valid)[hit], np.column_stack([m[hit], t[hit], d[hit]])


def _date(day_no: int) -> date:
    return date.fromordinal(EPOCH.toordinal() + day_no)


def _delete(s: Session, keys: np.ndarray) -> int:
    """Delete the stored rows with these (metric_id, team_id, day) keys, in the session's transaction."""
    conn = s.connection()
    if conn.dialect.name == "postgresql":
        # A million single-row deletes take minutes on PostgreSQL; a keyed join over a COPY-filled
        # temporary table takes seconds.
        conn.exec_driver_sql(
            "CREATE TEMP TABLE import_keys (metric_id integer, team_id integer, day date) ON COMMIT DROP"
        )
        _copy_csv(
            conn,
            "import_keys (metric_id, team_id, day)",
            arrow.table({"metric_id": keys[:, 0], "team_id": keys[:, 1], "day": _arrow_days(keys[:, 2])}),
            lambda done: None,
        )
        conn.exec_driver_sql(
            "DELETE FROM observations o USING import_keys k WHERE o.metric_id = k.metric_id "
            "AND o.team_id = k.team_id AND o.day = k.day"
        )
        return len(keys)
    conn.exec_driver_sql(
        "DELETE FROM observations WHERE metric_id = ? AND team_id = ? AND day = ?",
        [(int(m), int(t), d) for (m, t), d in zip(keys[:, :2].tolist(), _iso_days(keys[:, 2]), strict=True)],
    )
    return len(keys)


def _store(s: Session, frame: pd.DataFrame, done: Callable[[int], None]) -> None:
    """Insert every row through the driver's bulk path, inside the session's transaction."""
    conn = s.connection()  # begins the transaction (BEGIN IMMEDIATE on SQLite) if it has not begun
    columns = "observations (metric_id, team_id, day, value, sample_size)"
    sample = frame["sample_size"].to_numpy()
    has_sample = ~np.isnan(sample)
    if conn.dialect.name == "postgresql":
        table = arrow.table(
            {
                "metric_id": frame["metric_id"].to_numpy(),
                "team_id": frame["team_id"].to_numpy(),
                "day": _arrow_days(frame["day"].to_numpy()),
                "value": frame["value"].to_numpy(),
                "sample_size": arrow.array(
                    np.where(has_sample, sample, 0).astype(np.int64), mask=~has_sample
                ),
            }
        )
        _copy_csv(conn, columns, table, done)
        return
    n = len(frame)
    metric = frame["metric_id"].to_numpy().tolist()
    team = frame["team_id"].to_numpy().tolist()
    days = _iso_days(frame["day"].to_numpy())
    value = frame["value"].to_numpy().tolist()
    sample_cells = np.where(has_sample, sample, 0).astype(np.int64).tolist()
    if not has_sample.all():
        sample_cells = [v if h else None for v, h in zip(sample_cells, has_sample.tolist(), strict=True)]
    cur = conn.connection.driver_connection.cursor()  # sqlite3, inside the transaction SQLAlchemy began
    try:
        for start in range(0, n, BATCH_ROWS):
            end = min(start + BATCH_ROWS, n)
            cur.executemany(
                f"INSERT INTO {columns} VALUES (?, ?, ?, ?, ?)",
                zip(
                    metric[start:end],
                    team[start:end],
                    days[start:end],
                    value[start:end],
                    sample_cells[start:end],
                    strict=True,
                ),
            )
            done(end)
    finally:
        cur.close()


def _copy_csv(conn, target: str, table: arrow.Table, done: Callable[[int], None]) -> None:
    """COPY an Arrow table into PostgreSQL as CSV written by Arrow (empty cell = NULL), batch by batch."""
    with conn.connection.driver_connection.cursor() as cur, cur.copy(
            f"COPY {target} FROM STDIN WITH (FORMAT csv)") as copy:
        written = 0
        for batch in table.to_batches(max_chunksize=BATCH_ROWS):
            sink = io.BytesIO()
            arrow_csv.write_csv(batch, sink, write_options=arrow_csv.WriteOptions(include_header=False))
            copy.write(sink.getvalue())
            written += batch.num_rows
            done(written)


def _arrow_days(days: np.ndarray) -> arrow.Array:
    return arrow.array(days.astype(np.int32), type=arrow.int32()).cast(arrow.date32())


def _iso_days(days: np.ndarray) -> list[str]:
    """'YYYY-MM-DD' for each day number; each distinct day is formatted once."""
    codes, uniques = pd.factorize(days)
    texts = np.datetime_as_string(uniques.astype("datetime64[D]"), unit="D").astype(object)
    return texts[codes].tolist()


def _counts(frame: pd.DataFrame, catalog: _Catalog) -> dict[str, dict[str, int]]:
    sizes = frame.groupby(["metric_id", "team_id"]).size()
    counts: dict[str, dict[str, int]] = {}
    for (m, t), k in sizes.items():
        counts.setdefault(catalog.metric_codes[int(m)], {})[catalog.team_codes[int(t)]] = int(k)
    return counts
