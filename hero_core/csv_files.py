"""Reading an uploaded or named CSV file the one way every importer does: UTF-8 (with or without the BOM Excel
writes), refused in one line naming the file and the byte when it is not."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from hero_core.errors import ImportRejected, InvalidInput


def read_table(source) -> tuple[str, list[list[str]]]:
    """(the file's name, its rows as lists of cells) from a path or an open binary file (an upload)."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise InvalidInput(f"{path} is not a file that can be read")
        data, name = path.read_bytes(), path.name
    else:
        data, name = source.read(), getattr(source, "name", "upload")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected([f"{name} is not UTF-8 text (byte {exc.start + 1}); save it as CSV UTF-8"]) from None
    return name, list(csv.reader(io.StringIO(text, newline="")))


def column_positions(name: str, table: list[list[str]], columns: tuple[str, ...] | list[str],
                     max_rows: int) -> dict[str, int]:
    """Where each of `columns` is in the file's header (any order, any case), or ImportRejected saying which are
    missing, that the file is empty, or that it has more rows than are taken at once."""
    if not table:
        raise ImportRejected([f"{name} is empty; the first row must name the columns: {', '.join(columns)}"])
    header = [h.strip().lower() for h in table[0]]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ImportRejected([f"row 1: the column(s) {', '.join(missing)} are missing; the header must name "
                              f"{', '.join(columns)}"])
    if len(table) - 1 > max_rows:
        raise ImportRejected([f"{name} has {len(table) - 1:,} rows; at most {max_rows:,} are taken at once"])
    return {c: header.index(c) for c in columns}
