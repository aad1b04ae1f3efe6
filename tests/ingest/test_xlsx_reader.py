"""matcher/ingest/xlsx_reader.py: Excel's numbers, sheet rows, merged cells filled down, a lying
<dimension> tag."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from matcher.errors import InputDataError
from matcher.ingest import IngestResult, load_suppliers
from matcher.schemas import Supplier
from tests.ingest.register import FIRMS, SECTOR_OF


def test_xlsx_numbers_and_lost_leading_zero(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.append(
        ["Mã doanh nghiệp", "Tên doanh nghiệp", "Mã số thuế", "Mô tả năng lực", "Năm thành lập"]
    )
    ws.append([101, "Công ty CP Đúc Việt", 101234567, "Đúc áp lực nhôm ADC12", 2008.0])
    ws.append([None, None, None, None, None])  # blank rows are skipped
    book.save(tmp_path / "s.xlsx")
    (s,) = load_suppliers(tmp_path / "s.xlsx").records
    assert (s.supplier_id, s.tax_code, s.founded_year) == ("101", "0101234567", 2008)


def test_xlsx_error_rows_are_sheet_rows(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.append(["supplier_id", "name", "description"])
    ws.append(["S1", "A", "ok"])
    ws.append(["S2", "B", None])
    book.save(tmp_path / "s.xlsx")
    with pytest.raises(InputDataError) as err:
        load_suppliers(tmp_path / "s.xlsx")
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "description")]


def test_xlsx_merged_cells_filled_down(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.append(["Danh sách doanh nghiệp"])
    ws.merge_cells("A1:D1")
    ws.append(["Mã DN", "Tên DN", "Lĩnh vực", "Mô tả"])
    ws.append(["S1", "A", "V", "x"])
    ws.append(["S2", "B", None, "y"])
    ws.append(["S3", "C", None, "z"])
    ws.append(["S4", "D", "IV", "w"])
    ws.merge_cells("C3:C5")
    book.save(tmp_path / "s.xlsx")
    result = load_suppliers(tmp_path / "s.xlsx")
    assert [s.sector for s in result.records] == [["V"], ["V"], ["V"], ["IV"]]
    assert result.rows == [3, 4, 5, 6]


def test_xlsx_whose_dimension_tag_understates_its_rows_is_read_whole(tmp_path: Path) -> None:
    import re
    import zipfile

    book = Workbook()
    ws = book.active
    ws.append(["supplier_id", "name", "description"])
    for i in range(1, 7):
        ws.append([f"S{i}", f"Firm {i}", "Dập kim loại"])
    book.save(tmp_path / "full.xlsx")
    with (
        zipfile.ZipFile(tmp_path / "full.xlsx") as src,
        zipfile.ZipFile(tmp_path / "lying.xlsx", "w") as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C2"', data)
                assert n == 1
            dst.writestr(info, data)
    result = load_suppliers(tmp_path / "lying.xlsx")
    assert [s.supplier_id for s in result.records] == [f"S{i}" for i in range(1, 7)]


def test_merged_sector_cells_are_filled_down(register: IngestResult[Supplier]) -> None:
    assert [s.sector for s in register.records] == [[SECTOR_OF[i]] for i in range(FIRMS)]
    assert sum(s.sector == ["V"] for s in register.records) == 8
