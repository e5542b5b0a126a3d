"""Reading an uploaded XLSX without letting the file decide how much memory and time that takes.

An XLSX is a zip of XML parts, and a few hundred kilobytes can unzip to gigabytes (a "zip bomb"). So the
archive's own directory is checked before anything is inflated: how many parts it has, how large they say they
are (Python's zipfile never inflates a part beyond its stated size: a part that lies fails its CRC check), how
hard they are compressed, and that no part openpyxl reads whole (shared strings, styles) is large. Then the
parts are scanned once as bytes for rows of more cells, or more rows, than a spreadsheet can have: openpyxl
builds a whole row before handing it over, so one very wide row fills memory (measured: docs/measurements.md).
Only then is the first sheet streamed row by row with openpyxl's read-only mode, and reading stops at the
importer's row cap.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

from hero_core.errors import ImportRejected

MAX_UNCOMPRESSED = 100 * 2**20  # bytes of XML, all parts together (about 400,000 rows as openpyxl writes them)
MAX_PARTS = 1_000  # a workbook has a dozen or so; each costs memory before any check could run
MAX_RATIO = 100  # real sheets compress 5-15 to 1; DEFLATE reaches about 1,000 to 1 on repeated rows
RATIO_FROM = 2**20  # small parts (styles, themes) may compress harder without costing anything
# The largest part openpyxl reads whole (shared strings, styles, ...): such a part costs many times its size
# in memory (measured: docs/measurements.md).
MAX_WHOLE_PART = 16 * 2**20
SHEET_ROWS = 1_048_576  # the last row a spreadsheet can have
SHEET_COLUMNS = 16_384  # and its last column, XFD


class XlsxRefused(ImportRejected):
    """The workbook is refused before or while it is read; `row` is 0 when the file as a whole is refused."""

    def __init__(self, name: str, reason: str, *, row: int = 0):
        self.name, self.reason, self.row = name, reason, row
        where = f"{name}" if row == 0 else f"{name}, row {row:,}"
        super().__init__([f"{where}: {reason}"])


def check_archive(source: str | os.PathLike | BinaryIO, name: str) -> None:
    """Refuse a workbook whose parts are too many, too large once unzipped, or compressed like a zip bomb."""
    with _opened(source) as handle:
        parts = _stated_parts(handle)
        if parts is not None and parts > MAX_PARTS:
            raise XlsxRefused(name, f"has {parts:,} parts; a workbook has a few dozen (at most {MAX_PARTS:,} "
                                    "are read)")
        try:
            with zipfile.ZipFile(handle) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
            raise XlsxRefused(name, f"is not a readable XLSX workbook ({exc})") from None
    if len(infos) > MAX_PARTS:
        raise XlsxRefused(name, f"has {len(infos):,} parts; at most {MAX_PARTS:,} are read")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED:
        raise XlsxRefused(
            name,
            f"unzips to {_size(total)}; at most {_size(MAX_UNCOMPRESSED)} of XLSX is read: "
            "split it into smaller files, or save it as CSV",
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FROM and ratio > MAX_RATIO:
            raise XlsxRefused(
                name,
                f"its part {info.filename} is compressed {ratio:,.0f} to 1 (a spreadsheet's are about 10 to 1; "
                f"more than {MAX_RATIO} to 1 is refused as a zip bomb)",
            )
    big = {info.filename: info.file_size for info in infos if info.file_size > MAX_WHOLE_PART}
    if big:
        with _opened(source) as handle:
            streamed = _worksheets(handle, big)
        for part, size in big.items():
            if part not in streamed:
                raise XlsxRefused(
                    name,
                    f"its part {part} unzips to {_size(size)}; only worksheets are read a row at a time, and any "
                    f"other part may be at most {_size(MAX_WHOLE_PART)}",
                )


def _worksheets(handle: BinaryIO, big: dict[str, int]) -> set[str]:
    """The worksheet parts openpyxl will stream, found the way it finds them (the manifest names the workbook,
    whose relationships name its sheets); the parts read to find them must not be big themselves. An empty set
    when they cannot be found here, so that every big part is refused."""
    try:
        from openpyxl.packaging.relationship import get_rels_path
        from openpyxl.reader.excel import ExcelReader, _find_workbook_part
        from openpyxl.reader.workbook import WorkbookParser

        if "[Content_Types].xml" in big:
            return set()
        reader = ExcelReader(handle, read_only=True)
        reader.read_manifest()
        workbook_part = _find_workbook_part(reader.package).PartName[1:]
        if workbook_part in big or get_rels_path(workbook_part) in big:
            return set()
        parser = WorkbookParser(reader.archive, workbook_part)
        parser.parse()
        return {rel.target for _, rel in parser.find_sheets() if "chartsheet" not in rel.Type}
    except Exception:  # noqa: BLE001 - any failure to find them means: stream nothing big
        return set()


def check_shape(source: str | os.PathLike | BinaryIO, name: str) -> None:
    """Refuse a workbook with a row of more cells, or a part of more rows, than a spreadsheet can have.

    Every part is scanned (its cost: docs/measurements.md), not only the sheet openpyxl will pick, so that a
    sheet cannot hide at an unusual path."""
    with _opened(source) as handle, zipfile.ZipFile(handle) as archive:
        for info in archive.infolist():
            with archive.open(info) as part:
                _scan_part(part, name, info.filename)


# The start tag of a row or a cell, with any namespace prefix. Comments and CDATA can only add matches, never
# hide one, so the count errs towards refusing.
_ROW_OR_CELL = re.compile(rb"<(?:[^\s/>:<!?]+:)?(row|c)[\s/>]")


def _scan_part(part: BinaryIO, name: str, part_name: str) -> None:
    rows = cells = 0  # rows seen, and cells in the last of them
    tail = b""
    while True:
        chunk = part.read(1 << 20)
        buffer = tail + chunk
        cut = len(buffer)
        if chunk:  # keep a tag whose name is cut off for the next round
            last = buffer.rfind(b"<")
            if last >= 0 and not _NAME_END.search(buffer, last + 1):
                cut = last
        # The "row" and "c" tokens joined, then split at each row: the first piece continues the row left open
        # by the last round, and each later piece is one new row's cells ("ccc").
        pieces = b"".join(_ROW_OR_CELL.findall(buffer, 0, cut)).split(b"row")
        open_row = cells + len(pieces[0]) if rows else 0
        new_rows = pieces[1:]
        rows += len(new_rows)
        widest = max([open_row, *map(len, new_rows)])
        cells = len(new_rows[-1]) if new_rows else open_row
        if widest > SHEET_COLUMNS:
            raise XlsxRefused(name, f"{part_name} has a row of more than {SHEET_COLUMNS:,} cells, the most a "
                                    "spreadsheet row can have")
        if rows > SHEET_ROWS:
            raise XlsxRefused(name, f"{part_name} has more than {SHEET_ROWS:,} rows, the most a spreadsheet can "
                                    "have")
        if not chunk:
            return
        tail = buffer[cut:]


_NAME_END = re.compile(rb"[\s/>]")


def sheet_rows(source: str | os.PathLike | BinaryIO, name: str, *, max_rows: int) -> Iterator[tuple[int, tuple]]:
    """(row number, cell values) for each row of the first sheet that has a cell, checked and streamed.

    Raises XlsxRefused for a file check_archive refuses, an unreadable workbook, a row number past the last row
    a spreadsheet has, or a row beyond `max_rows` rows with cells (reading stops there).
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_archive(source, name)
    try:
        check_shape(source, name)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError) as exc:
        raise XlsxRefused(name, f"is not a readable XLSX workbook ({exc})") from None
    if hasattr(source, "seek"):
        source.seek(0)
    unreadable = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError,
                  ParseError, zlib.error, IndexError, TypeError)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except unreadable as exc:
        raise XlsxRefused(name, f"is not a readable XLSX workbook ({exc})") from None
    try:
        if not workbook.worksheets:
            raise XlsxRefused(name, "has no sheet")
        sheet = workbook.worksheets[0]
        # Read-only mode trusts the sheet's stated size: a wrong one (some writers put A1) would cut rows off
        # silently, and a huge one would pad every row to it.
        sheet.reset_dimensions()
        kept = 0
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > SHEET_ROWS:
                    raise XlsxRefused(name, f"is past the last row a spreadsheet has ({SHEET_ROWS:,})",
                                      row=number)
                if not values or values.count(None) == len(values):
                    continue
                kept += 1
                if kept > max_rows + 1:  # the header and max_rows rows
                    raise XlsxRefused(
                        name,
                        f"the file has more than {max_rows:,} data rows; reading stopped here. Split it into "
                        f"files of at most {max_rows:,} rows",
                        row=number,
                    )
                yield number, values
        except unreadable as exc:
            raise XlsxRefused(name, f"is not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    finally:
        workbook.close()


def _size(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n / 2**10:,.0f} KB"


class _opened:
    """The source as a binary file positioned at its start (a path is opened and closed here)."""

    def __init__(self, source: str | os.PathLike | BinaryIO):
        self.source = source
        self.handle: BinaryIO | None = None

    def __enter__(self) -> BinaryIO:
        if isinstance(self.source, (str, os.PathLike)):
            self.handle = Path(self.source).open("rb")
            return self.handle
        self.source.seek(0)
        return self.source

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()


def _stated_parts(handle: BinaryIO) -> int | None:
    """The part count the archive's end record states, read before zipfile builds an entry per part (a small
    archive of many empty parts takes long and much memory to open; measured: docs/measurements.md). None when
    the record cannot be read here."""
    end_record = getattr(zipfile, "_EndRecData", None)  # zipfile's own reader of that record (stable since 2.x)
    if end_record is None:
        return None
    try:
        record = end_record(handle)
    except (OSError, ValueError, EOFError):
        return None
    finally:
        handle.seek(0)
    return None if record is None else int(record[zipfile._ECD_ENTRIES_TOTAL])
