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
