"""matcher/ingest/table.py: the header row (below title rows, or given); values under no header."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from matcher.errors import InputDataError
from matcher.ingest import load_suppliers
from tests.conftest import write


def test_header_below_title_rows_is_found_and_rows_stay_file_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        "DANH SÁCH DOANH NGHIỆP THAM GIA CHƯƠNG TRÌNH\n"
        "\n"
        "supplier_id,name,description\n"
        "S1,A,ok\n"
        "S2,B,\n",
    )
    with pytest.raises(InputDataError) as err:
        load_suppliers(path)
    assert [(p.row, p.column) for p in err.value.problems] == [(5, "description")]
    path.write_text(path.read_text(encoding="utf-8").replace("S2,B,", "S2,B,ok"), "utf-8")
    result = load_suppliers(path)
    assert (result.header_row, result.rows) == (3, [4, 5])


def test_explicit_header_row(tmp_path: Path) -> None:
    # Row 1 would pass as a header too; the caller says the real one is row 2.
    path = write(tmp_path / "s.csv", "id,name,description\nsupplier_id,name,description\nS1,A,x\n")
    result = load_suppliers(path, header_row=2)
    assert ([s.supplier_id for s in result.records], result.rows) == (["S1"], [3])
    with pytest.raises(InputDataError, match="no header row 9: the last is 3"):
        load_suppliers(path, header_row=9)


def test_xlsx_cell_beyond_the_header_is_refused(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.append(["supplier_id", "name", "description"])
    ws.append(["S1", "A", "x", None, "lost?"])
    book.save(tmp_path / "s.xlsx")
    with pytest.raises(InputDataError) as err:
        load_suppliers(tmp_path / "s.xlsx")
    ((row, column),) = [(p.row, p.column) for p in err.value.problems]
    assert (row, column) == (2, "E")
