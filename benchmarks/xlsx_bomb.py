"""A zip-bomb XLSX, and what refusing it costs: `python -m benchmarks.xlsx_bomb [--rows N]`.

The workbook is written straight with zipfile (an openpyxl write-only book of two million rows takes minutes to
make): one sheet whose identical rows carry no `r=` attributes, so DEFLATE shrinks them about a thousandfold.
The import runs in a child process, whose wall time and peak RSS (getrusage) are printed.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import zipfile
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


_CHILD = """
import json, resource, sys, time
from hero_core.db import Database, migrate
from hero_core.errors import ImportRejected
from hero_core.services import catalog, metrics_io
db = Database(sys.argv[1]); migrate(db); catalog.ensure_defaults(db)
start = time.perf_counter()
try:
    metrics_io.import_metrics(db, source=sys.argv[2], actor_id=None)
    outcome = "stored"
except ImportRejected as exc:
    outcome = str(exc)
print(json.dumps({"seconds": time.perf_counter() - start, "outcome": outcome,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(path: Path, workdir: Path) -> dict:
    """Import `path` in a fresh process; its wall time, peak RSS and the refusal message."""
    url = f"sqlite:///{workdir / 'bomb.db'}"
    done = subprocess.run([sys.executable, "-c", _CHILD, url, str(path)], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[1])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bomb.xlsx"
        path.write_bytes(bomb(args.rows))
        with zipfile.ZipFile(path) as book:
            unzipped = sum(i.file_size for i in book.infolist())
        result = measure(path, Path(tmp))
        size = path.stat().st_size
    print(f"file {size / 1024:,.0f} KB, unzips to {unzipped / 2**20:,.0f} MB, {args.rows:,} rows")
    print(f"import: {result['seconds']:.2f} s, peak RSS {result['peak_rss_mb']:,.0f} MB")
    print(f"outcome: {result['outcome'][:300]}")


if __name__ == "__main__":
    main()
