"""matcher/ingest/columns.py: Vietnamese and English headers, required columns, STT, the tax code
as the id."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.errors import InputDataError
from matcher.ingest import IngestResult, load_requirements, load_suppliers
from matcher.schemas import Supplier
from tests.conftest import write
from tests.ingest.register import FIRMS, tax_code

VI_HEADERS = "mã doanh nghiệp,Tên doanh nghiệp,Mã số thuế,Mô tả năng lực,Chứng chỉ,Ngành\n"


def test_vietnamese_headers_and_bom(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ncc.csv",
        "\ufeff"
        + VI_HEADERS
        + 'S1,Công ty TNHH Cơ khí A,0101234567,Dập kim loại tấm,"ISO 9001:2015; IATF16949",IV;V\n',
    )
    (supplier,) = load_suppliers(path).records
    assert supplier.name == "Công ty TNHH Cơ khí A"
    assert supplier.tax_code == "0101234567"
    assert supplier.certifications == ["ISO 9001:2015", "IATF16949"]
    assert supplier.sector == ["IV", "V"]


def test_headers_without_diacritics_are_recognised(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "ma doanh nghiep,ten doanh nghiep,mo ta nang luc\nS1,A,x\n")
    assert load_suppliers(path).records[0].description == "x"


def test_missing_required_column(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", "requirement_id,description\nR1,x\n")
    with pytest.raises(InputDataError) as err:
        load_requirements(path)
    (problem,) = err.value.problems
    assert (problem.row, problem.column) == (1, "buyer")
    assert "required column missing" in problem.message


def test_two_headers_for_one_field_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "supplier_id,name,tên doanh nghiệp,description\nS1,a,b,c\n")
    with pytest.raises(InputDataError, match="keep one of the two columns"):
        load_suppliers(path)


def test_tax_code_is_the_id_and_stt_is_ignored(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        "STT,Tên doanh nghiệp,Mã số thuế,Mô tả năng lực\n"
        "1,A,0101 234 567,x\n"
        "2,B,0101234568-001,y\n",
    )
    result = load_suppliers(path)
    assert [s.supplier_id for s in result.records] == ["0101234567", "0101234568-001"]
    assert (result.ignored_columns, result.extra_columns, result.warnings) == (["STT"], [], [])
    # "STT DN" is a row number too: never taken as the id.
    path = write(tmp_path / "stt.csv", "STT DN,name,description\n1,A,x\n")
    with pytest.raises(InputDataError, match="required column missing"):
        load_suppliers(path)


def test_register_is_read_whole(register: IngestResult[Supplier]) -> None:
    assert len(register.records) == FIRMS
    assert register.header_row == 3
    assert register.rows == list(range(4, 4 + FIRMS))  # spreadsheet rows
    assert [s.supplier_id for s in register.records] == [tax_code(i) for i in range(FIRMS)]
    assert all(s.tax_code == s.supplier_id for s in register.records)
    assert register.ignored_columns == ["STT"]
    assert register.duplicates == []
