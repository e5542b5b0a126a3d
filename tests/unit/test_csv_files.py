"""Reading an importer's CSV file: one way for every importer (help history, adoption)."""

from __future__ import annotations

import io

import pytest

from hero_core import csv_files
from hero_core.errors import ImportRejected, InvalidInput

COLUMNS = ("idea_id", "team", "date", "adopted_share")


def test_columns_are_found_in_any_order_and_case_and_a_bom_is_ignored():
    upload = io.BytesIO("\ufeffTeam,IDEA_ID, date ,adopted_share,extra\nCC,1,2026-04-07,0.4,x\n".encode())
    upload.name = "adoption.csv"
    name, table = csv_files.read_table(upload)
    assert name == "adoption.csv" and table[1] == ["CC", "1", "2026-04-07", "0.4", "x"]
    assert csv_files.column_positions(name, table, COLUMNS, 10) == {"team": 0, "idea_id": 1, "date": 2,
                                                                     "adopted_share": 3}


@pytest.mark.parametrize(("rows", "said"), [
    ([], "adoption.csv is empty; the first row must name the columns: idea_id, team, date, adopted_share"),
    ([["idea_id", "team"]], "row 1: the column(s) date, adopted_share are missing"),
    ([list(COLUMNS)] + [["1", "CC", "2026-04-07", "0.4"]] * 3, "adoption.csv has 3 rows; at most 2 are taken"),
])
def test_an_empty_file_missing_columns_or_too_many_rows_are_refused_in_words(rows, said):
    with pytest.raises(ImportRejected) as refused:
        csv_files.column_positions("adoption.csv", rows, COLUMNS, 2)
    assert said in str(refused.value)


def test_a_file_that_is_not_utf8_or_not_there_is_refused_naming_it(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("team\nZürich\n".encode("latin-1"))
    with pytest.raises(ImportRejected, match=r"latin.csv is not UTF-8 text \(byte 7\)"):
        csv_files.read_table(latin)
    with pytest.raises(InvalidInput, match="is not a file that can be read"):
        csv_files.read_table(tmp_path / "missing.csv")
