"""Hostile XLSX files, and what importing them costs: `python -m benchmarks.xlsx_bomb [--rows N] [--real |
--strings] [--importer OLD_metrics_io.py]`.

The default is a zip bomb written straight with zipfile (an openpyxl write-only book of two million rows takes
minutes to make): one sheet whose identical rows carry no `r=` attributes, so DEFLATE shrinks them a few
hundredfold. --strings makes a workbook whose shared strings part is large; --real an ordinary workbook of valid
rows, for the cost of a legitimate import. The import runs in a child process, whose wall time and peak RSS
(getrusage) are printed; --importer runs another version of metrics_io.py (`git show REV:hero_core/services/
metrics_io.py > old.py`) for a before/after comparison.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import string
import subprocess
import sys
import tempfile
import zipfile
from datetime import date, timedelta
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _inline_row(cells: list[str | float]) -> str:
    parts = []
    for cell in cells:
        if isinstance(cell, str):
            parts.append(f'<c t="inlineStr"><is><t>{cell}</t></is></c>')
        else:
            parts.append(f"<c><v>{cell}</v></c>")
    return "<row>" + "".join(parts) + "</row>"


def bomb(rows: int = 2_000_000, *, row: list[str | float] | None = None) -> bytes:
    """An XLSX whose one sheet has the metrics header and `rows` identical rows (2M rows: about 300 KB)."""
    header = _inline_row(["metric", "team", "date", "value"])
    body = _inline_row(row if row is not None else ["csat", "CC", "2025-01-02", 4.5])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                + header.encode()
            )
            chunk = (body * 10_000).encode()
            for _ in range(rows // 10_000):
                sheet.write(chunk)
            sheet.write((body * (rows % 10_000)).encode())
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def shared_strings_workbook(strings: int) -> bytes:
    """A one-row sheet whose shared-strings part holds `strings` random six-letter strings (openpyxl reads that
    part whole; random text compresses about 4 to 1, so no ratio check catches it)."""
    rnd = random.Random(2)
    letters = string.ascii_letters + string.digits
    content_types = _CONTENT_TYPES.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="'
                                           'application/vnd.openxmlformats-officedocument.spreadsheetml.'
                                           'sharedStrings+xml"/></Types>')
    rels = _WORKBOOK_RELS.replace("</Relationships>", '<Relationship Id="rId2" Type="http://schemas.openxmlformats'
                                  '.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                  "</Relationships>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", content_types)
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", rels)
        book.writestr("xl/worksheets/sheet1.xml", '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                      '2006/main"><sheetData>' + _inline_row(["metric", "team", "date", "value"])
                      + "</sheetData></worksheet>")
        with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for start in range(0, strings, 1_000):
                part.write("".join(f"<si><t>{''.join(rnd.choices(letters, k=6))}</t></si>"
                                   for _ in range(min(1_000, strings - start))).encode())
            part.write(b"</sst>")
    return buffer.getvalue()


def real_workbook(rows: int) -> bytes:
    """An ordinary workbook as openpyxl writes it: metric, team, date cell, value, sample size; every row valid."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["metric", "team", "date", "value", "sample_size"])
    metrics = ("csat", "nps", "aht", "fcr", "complaints", "error_rate", "sales_conversion", "time_to_mastery")
    teams, first = ("CC", "ST"), date(1990, 1, 1)
    for i in range(rows):
        day, rest = divmod(i, len(metrics) * len(teams))
        sheet.append([metrics[rest % len(metrics)], teams[rest // len(metrics)], first + timedelta(days=day),
                      1, 10 + i % 90])  # 1 is within every one of these metrics' ranges
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_CHILD = """
import importlib.util, json, resource, sys, time
from hero_core.db import Database, migrate
from hero_core.errors import ImportRejected
from hero_core.services import catalog, metrics_io, people
if len(sys.argv) > 3:  # another version of the importer, e.g. `git show REV:hero_core/services/metrics_io.py`
    spec = importlib.util.spec_from_file_location("hero_core.services.metrics_io_other", sys.argv[3])
    metrics_io = sys.modules[spec.name] = importlib.util.module_from_spec(spec); spec.loader.exec_module(metrics_io)
db = Database(sys.argv[1]); migrate(db); catalog.ensure_defaults(db)
for code in ("CC", "ST"):
    people.create_team(db, actor_id=None, code=code, name=code)
start = time.perf_counter()
try:
    summary = metrics_io.import_metrics(db, source=sys.argv[2], actor_id=None)
    outcome = f"stored {summary.rows:,} rows"
except ImportRejected as exc:
    outcome = str(exc)
print(json.dumps({"seconds": time.perf_counter() - start, "outcome": outcome,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(path: Path, workdir: Path, importer: Path | None = None) -> dict:
    """Import `path` in a fresh process (on a new SQLite database with teams CC and ST); its wall time, peak
    RSS and outcome. `importer` is another metrics_io.py to run instead (to measure an older version)."""
    db_path = workdir / "bomb.db"
    db_path.unlink(missing_ok=True)
    extra = [str(importer)] if importer else []
    done = subprocess.run([sys.executable, "-c", _CHILD, f"sqlite:///{db_path}", str(path), *extra],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
                          check=False)  # a failure is raised below, with the child's stderr
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--real", action="store_true", help="an ordinary workbook of --rows valid rows instead")
    parser.add_argument("--strings", action="store_true", help="a workbook of --rows shared strings instead")
    parser.add_argument("--importer", type=Path, help="another metrics_io.py to measure instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bomb.xlsx"
        path.write_bytes(real_workbook(args.rows) if args.real else shared_strings_workbook(args.rows)
                         if args.strings else bomb(args.rows))
        with zipfile.ZipFile(path) as book:
            unzipped = sum(i.file_size for i in book.infolist())
        result = measure(path, Path(tmp), args.importer)
        size = path.stat().st_size
    print(f"file {size / 1024:,.0f} KB, unzips to {unzipped / 2**20:,.0f} MB, {args.rows:,} "
          + ("shared strings" if args.strings else "rows"))
    print(f"import: {result['seconds']:.2f} s, peak RSS {result['peak_rss_mb']:,.0f} MB")
    print(f"outcome: {result['outcome'][:300]}")


if __name__ == "__main__":
    main()
