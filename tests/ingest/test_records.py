from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from matcher.errors import InputDataError
from matcher.ingest import load_requirements, load_suppliers
from tests.conftest import DATA, write

VI_HEADERS = "mã doanh nghiệp,Tên doanh nghiệp,Mã số thuế,Mô tả năng lực,Chứng chỉ,Ngành\n"


def test_minimal_csv_contract() -> None:
    result = load_suppliers(DATA / "suppliers_3.csv")
    assert [s.supplier_id for s in result.records] == ["S1", "S2", "S3"]
    assert result.rows == [2, 3, 4]
    reqs = load_requirements(DATA / "requirements_3.csv")
    assert [r.buyer for r in reqs.records] == ["Honda Vietnam", "Canon Vietnam", "Pou Chen"]


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


def test_nfc_normalisation(tmp_path: Path) -> None:
    decomposed = "Cơ khí".encode().decode()  # composed in source; build NFD below
    import unicodedata

    nfd = unicodedata.normalize("NFD", decomposed)
    path = write(tmp_path / "s.csv", f"supplier_id,name,description\nS1,{nfd},{nfd}\n")
    assert load_suppliers(path).records[0].name == unicodedata.normalize("NFC", nfd)


def test_wrong_encoding_names_file_and_row(tmp_path: Path) -> None:
    path = write(
        tmp_path / "cp1258.csv",
        "supplier_id,name,description\nS1,ok,ok\nS2,Công ty,Đúc\n",
        encoding="cp1258",
    )
    with pytest.raises(InputDataError) as err:
        load_suppliers(path)
    (problem,) = err.value.problems
    assert problem.file == str(path)
    assert problem.row == 3
    assert "UTF-8" in problem.message


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.csv",
        "supplier_id,name,description,tax_code,employees\n"
        "S1,A,,0101234567,10\n"  # empty description
        "S2,B,ok,12345,10\n"  # bad tax code
        "S3,C,ok,0101234568,many\n"  # employees not a number
        "S1,D,ok,,\n",  # duplicate id
    )
    with pytest.raises(InputDataError) as err:
        load_suppliers(path)
    found = {(p.row, p.column) for p in err.value.problems}
    assert found == {(2, "description"), (3, "tax_code"), (4, "employees"), (5, "supplier_id")}
    text = str(err.value)
    assert "bad.csv, row 2, column 'description': must not be empty" in text
    assert "duplicate id 'S1' (first on row 2)" in text


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


def test_json_and_jsonl(tmp_path: Path) -> None:
    rows = [
        {
            "requirement_id": "R1",
            "buyer": "Canon",
            "description": "PCB assembly",
            "required_certifications": ["ISO 9001"],
        }
    ]
    (tmp_path / "r.json").write_text(json.dumps(rows))
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    for name in ("r.json", "r.jsonl"):
        (req,) = load_requirements(tmp_path / name).records
        assert req.required_certifications == ["ISO 9001"]
    (tmp_path / "bad.jsonl").write_text('{"requirement_id": "R1"\n')
    with pytest.raises(InputDataError, match="row 1: invalid JSON"):
        load_requirements(tmp_path / "bad.jsonl")


def test_unsupported_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"unsupported file type \.txt"):
        load_suppliers(tmp_path / "s.txt")
    with pytest.raises(InputDataError, match="file not found"):
        load_suppliers(tmp_path / "nope.csv")


def test_duplicate_firms_by_tax_code_and_folded_name(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        "supplier_id,name,tax_code,description\n"
        "S1,Công ty TNHH Cơ khí Hòa Bình,0101234567,a\n"
        "S2,Hoa Binh Mechanical,0101234567,b\n"
        "S3,CTCP Nhựa Sao Mai,,c\n"
        "S4,Nhua Sao Mai JSC,,d\n"
        "S5,Công ty TNHH MTV Nhựa Sao Mai,,e\n"
        "S6,Điện tử Sao Mai,,f\n",
    )
    result = load_suppliers(path)
    pairs = {(d.supplier_ids, d.reason) for d in result.duplicates}
    assert pairs == {(("S1", "S2"), "tax_code"), (("S3", "S4"), "name"), (("S3", "S5"), "name")}


# --- real registers (issue #11) -----------------------------------------------------------------
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


def test_duplicate_and_empty_tax_codes_are_caught(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        "stt,ten doanh nghiep,ma so thue,mo ta\n"
        "1,A,0101234567,x\n"
        "2,B,0101.234.567,y\n"  # the same code, written with dots
        "3,C,,z\n",
    )
    with pytest.raises(InputDataError) as err:
        load_suppliers(path)
    found = [(p.row, p.column, p.message.split(" (")[0]) for p in err.value.problems]
    assert found == [
        (3, "ma so thue", "duplicate tax code"),
        (4, "ma so thue", "must not be empty"),
    ]
    assert "first on row 2" in str(err.value)


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


def test_unknown_columns_kept_as_extra_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(
        tmp_path / "s.csv",
        'supplier_id,name,description,Địa chỉ,Ghi chú\nS1,A,x,"Đông Anh, Hà Nội",VIP\nS2,B,y,,\n',
    )
    result = load_suppliers(path)
    assert [s.extra for s in result.records] == [
        {"Địa chỉ": "Đông Anh, Hà Nội", "Ghi chú": "VIP"},
        {},
    ]
    assert result.warnings == ["columns kept as extra fields: Địa chỉ, Ghi chú"]
    assert [r.message for r in caplog.records if r.levelname == "WARNING"] == [
        f"{path}: columns kept as extra fields: Địa chỉ, Ghi chú"
    ]
    # A workspace export read back: its "extra" object is merged, not nested.
    rows = [r.model_dump(mode="json") for r in result.records]
    (tmp_path / "s.json").write_text(json.dumps(rows), encoding="utf-8")
    again = load_suppliers(tmp_path / "s.json")
    assert [s.extra for s in again.records] == [s.extra for s in result.records]


def test_address_fills_empty_province_and_district(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        "supplier_id,name,description,province,district,Địa chỉ nhà máy\n"
        'S1,A,x,,,"Lô 5, KCN Bắc Thăng Long, huyện Đông Anh, TP. Hà Nội"\n'
        'S2,B,x,Bắc Ninh,,"KCN Quế Võ, Bắc Ninh"\n'
        'S3,C,x,Hưng Yên,,"Sóc Sơn, Hà Nội"\n'  # the column wins; no district of another province
        "S4,D,x,,,Quận 7 TP.HCM\n"
        "S5,E,x,,,không rõ\n",
    )
    got = [(s.province, s.district) for s in load_suppliers(path).records]
    assert got == [
        ("Hà Nội", "Đông Anh"),
        ("Bắc Ninh", "Quế Võ"),
        ("Hưng Yên", None),
        ("Hồ Chí Minh", None),
        (None, None),
    ]


def test_list_cells_split_on_commas_but_keep_decimals_and_slashes(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        "supplier_id,name,description,materials,sector,certifications\n"
        'S1,A,x,"PC/ABS, thép 1,5 mm; SUS304","IV/V","ISO9001:2015, IATF"\n',
    )
    (s,) = load_suppliers(path).records
    assert s.materials == ["PC/ABS", "thép 1,5 mm", "SUS304"]
    assert s.sector == ["IV", "V"]
    assert s.certifications == ["ISO9001:2015", "IATF"]


def test_tax_code_that_lost_its_leading_zero_in_a_csv(tmp_path: Path) -> None:
    # Excel drops the zero of 0115768361, and a CSV saved from it keeps '115768361'.
    path = write(tmp_path / "s.csv", "mã số thuế,name,description\n115768361,A,x\n")
    assert [s.supplier_id for s in load_suppliers(path).records] == ["0115768361"]


def test_new_lines_separate_list_items_but_not_text(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.append(["supplier_id", "name", "description", "products", "certifications"])
    ws.append(["S1", "A", "Dập\nhàn", "vỏ tủ điện\ngiá đỡ kim loại", "ISO 9001\nIATF"])
    book.save(tmp_path / "s.xlsx")
    (s,) = load_suppliers(tmp_path / "s.xlsx").records
    assert (s.description, s.products) == ("Dập hàn", ["vỏ tủ điện", "giá đỡ kim loại"])
    assert s.certifications == ["ISO 9001", "IATF"]


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


def test_jsonl_splits_only_on_line_feeds_and_keeps_number_text(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"supplier_id": 1e400, "name": "A", "description": "a\u2028b\u0085c"}\n'
        '{"supplier_id": 0.10, "name": "B", "description": "d"}\r\n',
        encoding="utf-8",
    )
    result = load_suppliers(path)
    assert [s.supplier_id for s in result.records] == ["1e400", "0.10"]
    assert result.rows == [1, 2]


def test_one_id_rule_for_every_record(tmp_path: Path) -> None:
    from matcher.schemas import MAX_ID_CHARS, check_id

    assert check_id("S-1.a_b") == "S-1.a_b"
    for bad in ("a/b", ".", "..", "x" * (MAX_ID_CHARS + 1), "a\u200bb", " a", "a\nb", ""):
        with pytest.raises(ValueError):
            check_id(bad)
    path = write(tmp_path / "s.csv", "supplier_id,name,description\nS/1,A,x\n..,B,y\n")
    with pytest.raises(InputDataError) as err:
        load_suppliers(path)
    assert [(p.row, p.column) for p in err.value.problems] == [
        (2, "supplier_id"),
        (3, "supplier_id"),
    ]


def test_limits_are_settings_named_in_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "s.csv", "supplier_id,name,description\nS1,A,x\nS2,B,y\nS3,C,z\n")
    monkeypatch.setenv("MATCHER_INPUT__MAX_ROWS", "2")
    with pytest.raises(InputDataError, match="MATCHER_INPUT__MAX_ROWS") as err:
        load_suppliers(path)
    assert err.value.problems[0].row == 4 and "the limit is 2" in str(err.value)
    monkeypatch.setenv("MATCHER_INPUT__MAX_ROWS", "3")
    assert len(load_suppliers(path).records) == 3
