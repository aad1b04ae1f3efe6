"""matcher/ingest/csv_reader.py: delimiters (sniffed or "sep="), rows as a spreadsheet counts them,
quotes left open."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.errors import InputDataError
from matcher.ingest import load_suppliers
from tests.conftest import write


def test_semicolon_tab_and_excel_sep_line(tmp_path: Path) -> None:
    body = "supplier_id{d}name{d}description{d}processes\nS1{d}A{d}Dập, hàn{d}tiện, phay\n"
    for delimiter in (";", "\t", "|"):
        path = write(tmp_path / "s.csv", body.format(d=delimiter))
        (s,) = load_suppliers(path).records
        assert (s.description, s.processes) == ("Dập, hàn", ["tiện", "phay"])
    path = write(tmp_path / "sep.csv", "sep=;\n" + body.format(d=";"))
    result = load_suppliers(path)
    assert (result.records[0].description, result.rows) == ("Dập, hàn", [3])


def test_missing_columns_error_names_the_delimiter(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "ma;khac;ghi chu\nS1;A;x\n")
    with pytest.raises(InputDataError) as err:
        load_suppliers(path)
    assert {p.column for p in err.value.problems} == {"supplier_id", "name", "description"}
    assert all(p.row == 1 for p in err.value.problems)
    assert "read as CSV with delimiter ';'" in str(err.value)
    assert "STT is never an id" in str(err.value)


def test_csv_rows_are_spreadsheet_rows_after_multi_line_cells(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        'supplier_id,name,description\nS1,A,"một\nhai\nba"\nS2,B,"x\r\ny"\nS3,,z\n',
    )
    with pytest.raises(InputDataError) as err:
        load_suppliers(path)
    assert [(p.row, p.column) for p in err.value.problems] == [(4, "name")]  # line 7 of the file


def test_unbalanced_quote_names_the_row_where_it_opened(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv", 'supplier_id,name,description\nS1,A,x\nS2,B,"dập\nS3,C,y\nS4,D,z\n'
    )
    with pytest.raises(InputDataError) as err:
        load_suppliers(path)
    (problem,) = err.value.problems
    assert problem.row == 3 and "never closed" in problem.message and "lines 3-5" in problem.message
