"""matcher/ingest/records.py: rows validated into records, every problem at once, list cells,
``extra`` fields, places from addresses; and the hand-made register (tests/ingest/register.py)
searched: no firm holding a required certificate is lost."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from matcher.config import Settings
from matcher.engine import Engine
from matcher.errors import InputDataError
from matcher.export import write_matches
from matcher.ingest import IngestResult, load_requirements, load_suppliers
from matcher.retrieve import Filters
from matcher.schemas import Requirement, Supplier
from tests.conftest import DATA, write
from tests.ingest.register import (
    ADDRESSES,
    ECO,
    FIRMS,
    IATF,
    OEKO,
    PROVINCE_OF_ADDRESS,
    firms,
    tax_code,
)


def test_minimal_csv_contract() -> None:
    result = load_suppliers(DATA / "suppliers_3.csv")
    assert [s.supplier_id for s in result.records] == ["S1", "S2", "S3"]
    assert result.rows == [2, 3, 4]
    reqs = load_requirements(DATA / "requirements_3.csv")
    assert [r.buyer for r in reqs.records] == ["Honda Vietnam", "Canon Vietnam", "Pou Chen"]


def test_nfc_normalisation(tmp_path: Path) -> None:
    decomposed = "Cơ khí".encode().decode()  # composed in source; build NFD below
    import unicodedata

    nfd = unicodedata.normalize("NFD", decomposed)
    path = write(tmp_path / "s.csv", f"supplier_id,name,description\nS1,{nfd},{nfd}\n")
    assert load_suppliers(path).records[0].name == unicodedata.normalize("NFC", nfd)


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


def test_tax_code_that_lost_its_leading_zero_in_a_csv(tmp_path: Path) -> None:
    # Excel drops the zero of 0115768361, and a CSV saved from it keeps '115768361'.
    path = write(tmp_path / "s.csv", "mã số thuế,name,description\n115768361,A,x\n")
    assert [s.supplier_id for s in load_suppliers(path).records] == ["0115768361"]


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


def test_new_lines_separate_list_items_but_not_text(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.append(["supplier_id", "name", "description", "products", "certifications"])
    ws.append(["S1", "A", "Dập\nhàn", "vỏ tủ điện\ngiá đỡ kim loại", "ISO 9001\nIATF"])
    book.save(tmp_path / "s.xlsx")
    (s,) = load_suppliers(tmp_path / "s.xlsx").records
    assert (s.description, s.products) == ("Dập hàn", ["vỏ tủ điện", "giá đỡ kim loại"])
    assert s.certifications == ["ISO 9001", "IATF"]


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


# --- the hand-made register (tests/ingest/register.py) -------------------------------------------
@pytest.fixture(scope="module")
def engine(register: IngestResult[Supplier]) -> Engine:
    settings = Settings()
    settings.embed.encoder = "hashing"
    return Engine(settings).build(register.records)


def test_provinces_and_districts_come_from_addresses(register: IngestResult[Supplier]) -> None:
    got = [(s.province, s.district) for s in register.records[:8]]
    assert got == [
        ("Hà Nội", "Đông Anh"),
        ("Hà Nội", "Sóc Sơn"),
        ("Bắc Ninh", "Quế Võ"),
        ("Hà Nội", "Thanh Trì"),
        ("Hà Nội", "Mê Linh"),
        ("Hà Nội", "Long Biên"),
        ("Hưng Yên", "Văn Lâm"),
        ("Hồ Chí Minh", None),
    ]


def test_unknown_columns_are_kept_with_one_warning(register: IngestResult[Supplier]) -> None:
    assert register.extra_columns == ["Địa chỉ", "Ghi chú"]
    assert register.warnings == ["columns kept as extra fields: Địa chỉ, Ghi chú"]
    first = register.records[0]
    assert first.extra == {"Địa chỉ": ADDRESSES[0], "Ghi chú": "Đã tham gia hội chợ 2023"}
    assert register.records[1].extra == {"Địa chỉ": ADDRESSES[1]}  # empty cells are not kept


@pytest.mark.parametrize(
    ("required", "holders"),
    [
        ("IATF 16949", IATF),
        ("Samsung Eco-Partner", ECO),
        ("OEKO-TEX", OEKO),
        ("iso 45001", {25, 26}),
    ],
)
def test_search_finds_every_holder_of_a_required_certificate(
    engine: Engine, required: str, holders: set[int]
) -> None:
    matches = engine.search("linh kiện", top_k=FIRMS, filters=Filters.build([required]))
    assert {m.supplier_id for m in matches} == firms(holders)


def test_requirement_finds_every_eco_partner_and_credits_oeko_tex(engine: Engine) -> None:
    requirement = Requirement(
        requirement_id="R1",
        buyer="Samsung Electronics Vietnam",
        description="Vỏ nhựa điện thoại, lắp ráp SMT",
        required_certifications="Eco Partner",
        preferred_certifications="OEKO-TEX",
    )
    matches = engine.match([requirement], top_k=FIRMS)
    assert {m.supplier_id for m in matches} == firms(ECO)
    textile = Requirement(
        requirement_id="R2",
        buyer="Pou Chen",
        description="Vải cotton nhuộm",
        preferred_certifications="OEKO-TEX",
    )
    by_id = {m.supplier_id: m for m in engine.match([textile], top_k=FIRMS)}
    for i in OEKO:
        assert "OEKO-TEX" in by_id[tax_code(i)].certifications_met
        assert "OEKO-TEX" not in by_id[tax_code(i)].certifications_missing


def test_province_filter_finds_firms_whose_address_is_in_hanoi(engine: Engine) -> None:
    in_hanoi = {i for i in range(FIRMS) if PROVINCE_OF_ADDRESS[i % len(ADDRESSES)] == "Hà Nội"}
    matches = engine.search("gia công", top_k=FIRMS, filters=Filters.build(provinces=["Hà Nội"]))
    assert {m.supplier_id for m in matches} == firms(in_hanoi)
    assert len(in_hanoi) == 20  # 5 of every 8 addresses: 3 full cycles (15) + 5 of the last 7


def test_match_output_carries_the_register_columns(
    engine: Engine, register: IngestResult[Supplier], tmp_path: Path
) -> None:
    matches = engine.search("dập", top_k=3)
    out = tmp_path / "matches.csv"
    write_matches(matches, out, {s.supplier_id: s for s in register.records})
    with open(out, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[-2:] == ["supplier: Địa chỉ", "supplier: Ghi chú"]
    by_id = {s.supplier_id: s for s in register.records}
    for row in rows:
        assert row["supplier: Địa chỉ"] == by_id[row["supplier_id"]].extra["Địa chỉ"]
