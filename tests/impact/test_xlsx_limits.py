"""Hostile XLSX files are refused from the zip's directory or at the row cap, before they cost memory or time.

Timings and peak RSS are not asserted here (`python -m benchmarks.xlsx_bomb` prints them, docs/reliability.md
keeps them); what is asserted is deterministic: the message, that no sheet was parsed or where reading stopped,
and the Python memory traced while refusing.
"""

from __future__ import annotations

import io
import re
import struct
import tracemalloc
import zipfile
from datetime import date

import openpyxl
import pytest

from benchmarks.xlsx_bomb import bomb, shared_strings_workbook
from hero_core import xlsx
from hero_core.errors import ImportRejected
from hero_core.services import metrics_io

from .factories import counts


def import_file(org, data: bytes, name: str = "bomb.xlsx") -> metrics_io.ObservationsRejected:
    with pytest.raises(ImportRejected) as info:
        metrics_io.import_metrics(org.db, source=io.BytesIO(data), file_name=name, actor_id=org.admin)
    return info.value


@pytest.fixture
def no_workbook_opened(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was asked to open a workbook the zip directory should have refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


@pytest.mark.usefixtures("no_workbook_opened")
def test_a_two_million_row_zip_bomb_is_refused_from_the_zip_directory_without_parsing(org):
    data = bomb(2_000_000)
    assert len(data) < 2 * 2**20  # about 1.2 MB that unzips to 296 MB
    before = counts(org.db)

    tracemalloc.start()
    try:
        error = import_file(org, data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert [str(p) for p in error.details] == [
        "file 'bomb.xlsx': unzips to 296 MB; at most 100 MB of XLSX is read: split it into smaller files, "
        "or save it as CSV"
    ]
    assert peak < 20 * 2**20, f"refusing took {peak / 2**20:.0f} MB of Python memory"  # was 1.9 GB
    assert counts(org.db) == before


@pytest.mark.usefixtures("no_workbook_opened")
def test_a_part_compressed_like_a_zip_bomb_is_refused_even_under_the_size_cap():
    data = bomb(400_000)  # 59 MB of XML in about 250 KB

    with pytest.raises(xlsx.XlsxRefused) as info:
        list(xlsx.sheet_rows(io.BytesIO(data), "small-bomb.xlsx", max_rows=10**6))

    assert info.value.row == 0
    assert str(info.value).endswith(
        "small-bomb.xlsx: its part xl/worksheets/sheet1.xml is compressed 258 to 1 (a spreadsheet's are about "
        "10 to 1; more than 100 to 1 is refused as a zip bomb)"
    )


def test_reading_stops_at_the_row_cap_and_names_the_cap_and_the_file(org, monkeypatch):
    monkeypatch.setattr(metrics_io, "MAX_ROWS", 1_000)
    monkeypatch.setattr(xlsx, "MAX_RATIO", 10_000)  # let the archive through: the row cap is what is tested
    parsed = []
    real_iter_rows = openpyxl.worksheet._read_only.ReadOnlyWorksheet.iter_rows

    def counting_iter_rows(sheet, *args, **kwargs):
        for row in real_iter_rows(sheet, *args, **kwargs):
            parsed.append(1)
            yield row

    monkeypatch.setattr(openpyxl.worksheet._read_only.ReadOnlyWorksheet, "iter_rows", counting_iter_rows)
    before = counts(org.db)

    error = import_file(org, bomb(200_000), "big.xlsx")

    assert [str(p) for p in error.details] == [
        "row 1002, column -, value '': big.xlsx: the file has more than 1,000 data rows; reading stopped here. "
        "Split it into files of at most 1,000 rows"
    ]
    assert len(parsed) == 1_002  # the header, 1,000 rows, and the one that went over: not 200,001
    assert counts(org.db) == before


def test_a_row_number_past_the_last_spreadsheet_row_is_refused_without_padding_to_it():
    sheet = (b'<row r="1"><c t="inlineStr"><is><t>metric</t></is></c></row>'
             b'<row r="1000000000000"><c><v>1</v></c></row>')

    with pytest.raises(xlsx.XlsxRefused) as info:
        list(xlsx.sheet_rows(io.BytesIO(_workbook(sheet)), "far.xlsx", max_rows=10))

    assert (info.value.row, info.value.reason) == (1_048_577, "is past the last row a spreadsheet has (1,048,576)")


def test_a_workbook_with_thousands_of_parts_is_refused_before_zipfile_reads_them_all():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(2_000):
            archive.writestr(f"x/{i}", b"")

    with pytest.raises(xlsx.XlsxRefused, match=r"many.xlsx: has 2,000 parts; a workbook has a few dozen"):
        xlsx.check_archive(io.BytesIO(buffer.getvalue()), "many.xlsx")


def test_a_part_that_understates_its_size_is_cut_at_the_stated_size_and_refused():
    data = bytearray(bomb(100_000))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size < 2**32 and info.compress_size < 2**32
    # The central directory's record for the sheet: claim 2 KB instead of 15 MB.
    name = info.filename.encode()
    at = data.index(b"PK\x01\x02")
    while data[at + 46:at + 46 + len(name)] != name:
        at = data.index(b"PK\x01\x02", at + 4)
    data[at + 24:at + 28] = struct.pack("<I", 2_048)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        assert archive.getinfo(info.filename).file_size == 2_048

    with pytest.raises(xlsx.XlsxRefused, match=r"lying.xlsx: .*(is not a readable XLSX workbook)"):
        list(xlsx.sheet_rows(io.BytesIO(bytes(data)), "lying.xlsx", max_rows=10**6))


def test_every_row_is_read_even_when_the_sheet_states_a_smaller_size(org, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["metric", "team", "date", "value"])
    for day in range(1, 4):
        book.active.append(["csat", "CC", date(2025, 2, day), 4])
    path = tmp_path / "a1.xlsx"
    book.save(path)
    def state_a1(xml: bytes) -> bytes:
        stated = re.sub(rb'<dimension ref="A1:D4"\s*/>', b'<dimension ref="A1"/>', xml)
        assert stated != xml
        return stated

    _rewrite_part(path, "xl/worksheets/sheet1.xml", state_a1)

    summary = metrics_io.import_metrics(org.db, source=path, actor_id=org.admin)

    assert summary.rows == 3


def _workbook(sheet_data: bytes) -> bytes:
    """bomb()'s workbook with this sheetData instead."""
    source = zipfile.ZipFile(io.BytesIO(bomb(0)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.endswith("sheet1.xml"):
                body = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        b"<sheetData>" + sheet_data + b"</sheetData></worksheet>")
            out.writestr(info.filename, body)
    return buffer.getvalue()


def _rewrite_part(path, part: str, change) -> None:
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            body = source.read(info)
            out.writestr(info.filename, change(body) if info.filename == part else body)


FULL_ROW = b"<row>" + b"<c/>" * xlsx.SHEET_COLUMNS + b"</row>"
WIDE_ROW = b"<row>" + b"<c><v>1</v></c>" * (xlsx.SHEET_COLUMNS + 1) + b"</row>"


@pytest.mark.parametrize(("sheet", "refused"), [
    (FULL_ROW * 3, False),
    (WIDE_ROW, True),
    (b"<x:row>" + b"<x:c><x:v>1</x:v></x:c>" * (xlsx.SHEET_COLUMNS + 1) + b"</x:row>", True),  # prefixed tags
    (b"<row>" + b"<a-long-prefix-that-goes-on-and-on:c/>" * (xlsx.SHEET_COLUMNS + 1) + b"</row>", True),
    (FULL_ROW * 15 + WIDE_ROW, True),  # the wide row starts just before 1 MB: counted across two reads
    (FULL_ROW * 40, False),  # full rows across many reads, none too wide
], ids=["full-rows", "wide", "prefixed", "long-prefix", "across-reads", "many-full-rows"])
def test_a_row_wider_than_a_spreadsheet_is_refused_before_openpyxl_builds_it(sheet, refused, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_RATIO", 10_000)
    data = _workbook(sheet)
    if refused:
        with pytest.raises(xlsx.XlsxRefused, match=r"wide.xlsx: xl/worksheets/sheet1.xml has a row of more than "
                                                   r"16,384 cells, the most a spreadsheet row can have"):
            xlsx.check_shape(io.BytesIO(data), "wide.xlsx")
    else:
        xlsx.check_shape(io.BytesIO(data), "wide.xlsx")


@pytest.mark.usefixtures("no_workbook_opened")
def test_a_wide_row_is_refused_by_the_importer_without_opening_the_workbook(org):
    error = import_file(org, _workbook(b'<row><c t="inlineStr"><is><t>metric</t></is></c></row>' + WIDE_ROW),
                        "wide.xlsx")

    assert [str(p) for p in error.details] == [
        "file 'wide.xlsx': xl/worksheets/sheet1.xml has a row of more than 16,384 cells, the most a spreadsheet "
        "row can have"
    ]


def test_a_large_part_that_openpyxl_reads_whole_is_refused_while_a_large_worksheet_is_streamed(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_WHOLE_PART", 64 * 2**10)
    strings = shared_strings_workbook(5_000)  # 107 KB of shared strings

    with pytest.raises(xlsx.XlsxRefused) as info:
        xlsx.check_archive(io.BytesIO(strings), "strings.xlsx")
    assert info.value.reason == ("its part xl/sharedStrings.xml unzips to 107 KB; only worksheets are read a row at "
                                 "a time, and any other part may be at most 64 KB")

    xlsx.check_archive(io.BytesIO(bomb(1_000)), "rows.xlsx")  # a 150 KB worksheet is streamed, so it may be big
