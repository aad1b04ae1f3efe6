"""A hand-made register like the organiser's 31-firm XLSX (issue #11): title rows, STT and the
tax code but no id, a merged sector column, addresses, certificates written every which way. The
engine must lose none of the firms that hold a required certificate."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from matcher.config import Settings
from matcher.export import write_matches
from matcher.ingest import IngestResult, load_suppliers
from matcher.pipeline import Engine
from matcher.retrieve import Filters
from matcher.schemas import Requirement, Supplier

HEADERS = [
    "STT",
    "Tên doanh nghiệp",
    "Mã số thuế",
    "Lĩnh vực",
    "Địa chỉ",
    "Mô tả năng lực",
    "Chứng chỉ",
    "Ghi chú",
]
# Sector blocks as the organiser merged them: (first firm, last firm, the merged cell's text, the
# code it means).
BLOCKS = [
    (0, 7, "Cơ khí chế tạo", "V"),
    (8, 15, "IV", "IV"),
    (16, 23, "Điện tử", "III"),
    (24, 30, "I", "I"),
]
SECTOR_OF = {i: code for lo, hi, _, code in BLOCKS for i in range(lo, hi + 1)}
DESCRIPTION = {
    "V": "Gia công CNC, dập kim loại tấm, hàn MIG/TIG chi tiết cơ khí",
    "IV": "Dập và hàn chi tiết khung xe ô tô, ép phun nhựa nội thất ô tô",
    "III": "Lắp ráp SMT bản mạch, ép phun vỏ nhựa điện thoại",
    "I": "Dệt, nhuộm và hoàn tất vải cotton cho hàng may mặc xuất khẩu",
}
CERTIFICATES = {
    2: "ISO 9001/IATF",
    8: "ISO9001:2015, IATF",
    9: "IATF 16949:2016",
    12: "ISO/TS 16949",
    16: "Eco Partner Samsung",
    17: "Samsung Eco Partner; ISO 14001:2015",
    20: "Eco-Partner\nISO 9001",
    24: "OEKO-TEX 100",
    25: "Oeko-Tex Standard 100 | iso 45001",
    26: "OHSAS 18001",
}
IATF = {2, 8, 9, 12}
ECO = {16, 17, 20}
OEKO = {24, 25}
ADDRESSES = [
    "Lô 5, KCN Bắc Thăng Long, huyện Đông Anh, TP. Hà Nội",
    "Xã Mai Đình, Sóc Sơn, Ha Noi",
    "KCN Quế Võ, Bắc Ninh",
    "Số 12 Ngọc Hồi, Thanh Trì, HN",
    "KCN Quang Minh, Mê Linh",  # no province: Mê Linh is a district of Hà Nội
    "Phường Thạch Bàn, Long Biên, Hà Nội",
    "KCN Phố Nối A, Văn Lâm, Hưng Yên",
    "Quận 7, TP.HCM",
]
PROVINCE_OF_ADDRESS = ["Hà Nội", "Hà Nội", "Bắc Ninh", "Hà Nội", "Hà Nội", "Hà Nội", "Hưng Yên",
                       "Hồ Chí Minh"]  # fmt: skip
FIRMS = 31


def tax_code(i: int) -> str:
    return f"01{i + 1:08d}"


def make_register(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.append(["DANH SÁCH DOANH NGHIỆP THAM GIA CHƯƠNG TRÌNH KẾT NỐI CÔNG NGHIỆP HỖ TRỢ 2024"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws.append([])
    ws.append(HEADERS)
    for i in range(FIRMS):
        first_of_block = next((text for lo, _, text, _ in BLOCKS if lo == i), None)
        ws.append(
            [
                i + 1,
                f"Công ty TNHH Công nghiệp Số {i + 1}",
                # Excel keeps a typed tax code as a number and drops the leading zero.
                int(tax_code(i)) if i % 4 == 0 else tax_code(i),
                first_of_block,  # only the first row of a merged block holds the value
                ADDRESSES[i % len(ADDRESSES)],
                DESCRIPTION[SECTOR_OF[i]],
                CERTIFICATES.get(i),
                "Đã tham gia hội chợ 2023" if i % 5 == 0 else None,
            ]
        )
    for lo, hi, _, _ in BLOCKS:
        ws.merge_cells(start_row=4 + lo, start_column=4, end_row=4 + hi, end_column=4)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> IngestResult[Supplier]:
    return load_suppliers(make_register(tmp_path_factory.mktemp("register") / "dn.xlsx"))


@pytest.fixture(scope="module")
def engine(register: IngestResult[Supplier]) -> Engine:
    settings = Settings()
    settings.embed.encoder = "hashing"
    return Engine(settings).build(register.records)


def firms(indexes: set[int]) -> set[str]:
    return {tax_code(i) for i in indexes}


def test_register_is_read_whole(register: IngestResult[Supplier]) -> None:
    assert len(register.records) == FIRMS
    assert register.header_row == 3
    assert register.rows == list(range(4, 4 + FIRMS))  # spreadsheet rows
    assert [s.supplier_id for s in register.records] == [tax_code(i) for i in range(FIRMS)]
    assert all(s.tax_code == s.supplier_id for s in register.records)
    assert register.ignored_columns == ["STT"]
    assert register.duplicates == []


def test_merged_sector_cells_are_filled_down(register: IngestResult[Supplier]) -> None:
    assert [s.sector for s in register.records] == [[SECTOR_OF[i]] for i in range(FIRMS)]
    assert sum(s.sector == ["V"] for s in register.records) == 8


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
