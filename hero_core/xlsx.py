"""Reading an uploaded XLSX without letting the file decide how much memory and time that takes.

An XLSX is a zip of XML parts, and a few hundred kilobytes can unzip to gigabytes (a "zip bomb"). So the
archive's own directory is checked before anything is decompressed: how many parts it has, how large they say
they are (Python's zipfile never inflates a part beyond its stated size: a part that lies fails its CRC check),
and how hard they are compressed. Then the first sheet is streamed row by row with openpyxl's read-only mode,
and reading stops at the importer's row cap.
"""

from __future__ import annotations

import os
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
SHEET_ROWS = 1_048_576  # the last row a spreadsheet can have


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
            f"unzips to {total / 2**20:,.0f} MB; at most {MAX_UNCOMPRESSED // 2**20} MB of XLSX is read: "
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


def sheet_rows(source: str | os.PathLike | BinaryIO, name: str, *, max_rows: int) -> Iterator[tuple[int, tuple]]:
    """(row number, cell values) for each row of the first sheet that has a cell, checked and streamed.

    Raises XlsxRefused for a file check_archive refuses, an unreadable workbook, a row number past the last row
    a spreadsheet has, or a row beyond `max_rows` rows with cells (reading stops there).
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_archive(source, name)
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
    """The part count the archive's end record states, read before zipfile builds an entry per part (300,000
    empty parts in 24 MB took 7 s and 150 MB to open). None when the record cannot be read here."""
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
