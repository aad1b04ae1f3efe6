"""A hand-made register like the organiser's 31-firm XLSX (issue #11): title rows, STT and the
tax code but no id, a merged sector column, addresses, certificates written every which way.
tests/ingest/conftest.py reads it once (the ``register`` fixture); the engine must lose none of
the firms that hold a required certificate (test_records.py)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

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


def firms(indexes: set[int]) -> set[str]:
    return {tax_code(i) for i in indexes}
