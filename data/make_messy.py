"""Rewrite the sample register the way real Vietnamese programme registers arrive.

Run ``.venv/bin/python data/make_messy.py`` to rewrite ``data/sample/messy/``:

* ``suppliers.xlsx``: the 398 sample firms as an Excel register of the kind a district office or
  the Department of Industry and Trade circulates: title and date rows above a Vietnamese header,
  no supplier-id column (a firm is its tax code), ``STT`` numbering, firms sorted by sector with
  the sector cells merged per block, province/district/park folded into one ``Địa chỉ`` text,
  certificates typed loosely in one cell, abbreviated company types, a minority of rows typed
  without diacritics, and columns the engine does not know (``Website``, ``Ghi chú``).
* ``suppliers.csv``: the same sheet saved by Excel as "CSV UTF-8" with ``;`` as the delimiter
  (BOM, CRLF, title rows kept; the sector written on every row since CSV cannot merge cells).
* ``README.md``: what was changed and in what share of rows (counted on this run).

The meaning of every profile is kept (only spelling, layout and formatting change), so the sample's
labels (``data/sample/labels.csv``) stay valid once remapped through the tax code; the
``sample-messy`` suite (matcher/evaluation/suites.py) does that remapping.

Deterministic: one ``random.Random`` seeded with SEED, fixed workbook and zip timestamps, so a
re-run rewrites byte-identical files. Needs openpyxl (a project dependency), nothing from
``matcher``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

SEED = 20261128
HERE = Path(__file__).resolve().parent
SOURCE = HERE / "sample" / "suppliers.csv"
OUT = HERE / "sample" / "messy"
STAMP = dt.datetime(2026, 11, 15, 8, 0, 0)
TITLE = "DANH SÁCH DOANH NGHIỆP CNHT THAM GIA KẾT NỐI CUNG ỨNG VỚI DOANH NGHIỆP FDI NĂM 2026"
SUBTITLE = "(Chương trình phát triển công nghiệp hỗ trợ thành phố Hà Nội giai đoạn 2020 – 2025)"
DATE_LINE = "Hà Nội, cập nhật đến ngày 15/11/2026"

# Shares of rows that get each kind of mess (the README reports the counts actually drawn).
SHARE_NO_DIACRITICS = 0.10  # name, lists, description and address typed without a Vietnamese IME
SHARE_NAME_ABBREVIATED = 0.45  # "Công ty TNHH" → "Cty TNHH", "Công ty Cổ phần" → "CTCP"...
SHARE_NAME_UPPER = 0.08  # the whole name in capitals
SHARE_NAME_WITH_EN = 0.15  # of firms with an English name: "Tên VN (English name)" in one cell
SHARE_CERT_RESPELT = 0.65  # of certificates: rewritten as another spelling of the same one
SHARE_TAX_NUMBER = 0.05  # of 10-digit tax codes: stored as a number (Excel drops the leading 0)
SHARE_TAX_SPACED = 0.04  # of tax codes: typed in groups, "0144 854 472" / "0144.854.472"
SHARE_LIST_NEWLINE = 0.30  # list cells (products, processes...) one item per line instead of ";"
SHARE_ADDRESS_VIETNAM = 0.06  # ", Việt Nam" at the end of the address
SHARE_WEBSITE = 0.50
SHARE_NOTE = 0.30

HEADERS = [
    "STT", "Tên doanh nghiệp", "Tên tiếng Anh", "Mã số thuế", "Địa chỉ", "Lĩnh vực",
    "Sản phẩm chính", "Công nghệ sản xuất", "Vật liệu", "Năng lực", "Chứng chỉ",
    "Khách hàng chính", "Tier", "Công suất", "Số lao động", "Năm thành lập", "Loại hình sở hữu",
    "Ngôn ngữ", "Người liên hệ", "Email", "Điện thoại", "Website",
    *(f"Tiêu chí {i}" for i in range(1, 8)),
    "Sản phẩm ưu tiên", "Sản phẩm chủ lực", "Ghi chú",
]  # fmt: skip
SECTOR_COLUMN = HEADERS.index("Lĩnh vực") + 1  # 1-based, for openpyxl
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
# Sector names as registers write them (Decree 111/2015, amended by 205/2025); no commas, since a
# comma separates two sectors in one cell.
SECTOR_NAMES = {
    "I": ("Dệt may", "Ngành dệt may"),
    "II": ("Da giày", "Ngành da giày"),
    "III": ("Điện tử", "Ngành điện tử"),
    "IV": ("Ô tô", "Sản xuất lắp ráp ô tô"),
    "V": ("Cơ khí", "Cơ khí chế tạo"),
    "VI": ("Công nghệ cao", "Công nghiệp công nghệ cao"),
}
SECTOR_STYLES = ("code", "code and name", "name")
SECTOR_STYLE_WEIGHTS = (40, 30, 30)

# District kinds as addresses write them; every other district of the sample is a huyện.
DISTRICT_KIND = {
    "Bắc Từ Liêm": "quận",
    "Nam Từ Liêm": "quận",
    "Long Biên": "quận",
    "Hà Đông": "quận",
    "Hoàng Mai": "quận",
    "Mỹ Hào": "thị xã",
    "Từ Sơn": "thành phố",
}
DISTRICT_ABBREV = {"quận": "Q.", "huyện": "H.", "thị xã": "TX.", "thành phố": "TP."}
STREETS = (
    "Quốc lộ 1A", "Quốc lộ 3", "Quốc lộ 5", "Quốc lộ 18", "đường 179", "đường Ngọc Hồi",
    "đường Phạm Văn Đồng", "đường Nguyễn Văn Linh", "đường Lê Trọng Tấn", "đường Trần Phú",
    "đường Võ Văn Kiệt", "đường Hồ Tùng Mậu", "đường Cổ Bi", "đường Nguyễn Đức Thuận",
)  # fmt: skip
HAMLETS = ("thôn Đoài", "thôn Thượng", "thôn Hạ", "thôn Trung", "xóm Mới", "thôn Đông")
NOTES = (
    "Đã tham gia VIMEXPO 2025",
    "Đề nghị hỗ trợ đào tạo nhân lực",
    "Cần hỗ trợ tư vấn hệ thống quản lý",
    "Có nhu cầu mở rộng nhà xưởng",
    "Liên hệ qua Zalo",
    "Interested in the Samsung vendor programme",
    "Looking for Japanese customers",
    "Đã gửi hồ sơ năng lực",
    "Chưa cập nhật số liệu năm 2026",
    "DN mới tham gia chương trình",
    "Visited by JETRO in 2025",
)

# Certificate spellings seen on real forms, per canonical certificate. None contains a comma,
# semicolon, pipe or line break; only "ISO/TS 16949" contains a slash (see _cert_cell).
CERT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "ISO 9001": ("ISO9001:2015", "ISO 9001:2015", "iso 9001", "ISO 9001-2015", "ISO9001",
                 "TCVN ISO 9001:2015", "Iso 9001:2015"),
    "ISO 14001": ("iso 14001", "ISO14001:2015", "ISO 14001:2015", "ISO 14001", "ISO-14001"),
    "ISO 45001": ("ISO 45001:2018", "iso45001", "ISO 45001"),
    "IATF 16949": ("IATF", "ISO/TS 16949", "IATF 16949:2016", "IATF16949", "iatf 16949"),
    "ISO 13485": ("ISO 13485:2016", "iso13485"),
    "QC 080000": ("QC080000", "IECQ QC 080000:2017", "QC 080000 HSPM", "IECQ QC080000"),
    "Samsung Eco-Partner": ("Eco Partner Samsung", "Samsung Eco Partner", "SEC Eco-Partner",
                            "Eco-Partner (Samsung)"),
    "RBA": ("RBA", "RBA Code of Conduct"),
}  # fmt: skip
_CERT_CLASSES = (
    (r"iatf|16949", "IATF 16949"),
    (r"9001", "ISO 9001"),
    (r"14001", "ISO 14001"),
    (r"45001", "ISO 45001"),
    (r"13485", "ISO 13485"),
    (r"080000", "QC 080000"),
    (r"eco.?partner", "Samsung Eco-Partner"),
    (r"\brba\b", "RBA"),
)
# The separators real cells use between certificates: comma (with or without a space),
# semicolon, slash, pipe, line break.
CERT_SEPARATORS = (", ", "; ", " / ", " | ", "\n", ",")
CERT_SEPARATOR_WEIGHTS = (40, 20, 10, 8, 14, 8)
SEPARATOR_NAMES = {
    ", ": "`, `",
    "; ": "`; `",
    " / ": "` / `",
    " | ": "` \\| `",
    "\n": "line break",
    ",": "`,`",
}


def strip_diacritics(text: str) -> str:
    """'Công ty Đúc' → 'Cong ty Duc': Vietnamese typed without an input method (case kept)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    )


def classify_certificate(raw: str) -> str:
    key = raw.lower()
    for pattern, name in _CERT_CLASSES:
        if re.search(pattern, key):
            return name
    raise ValueError(f"no spelling table for certificate {raw!r}; add it to CERT_SPELLINGS")


def sector_key(sector: str) -> tuple[int, ...]:
    return tuple(ROMAN[code] for code in sector.split(";"))


class Messifier:
    """Applies each kind of mess to one row at a time and counts what it did."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counts: Counter[str] = Counter()
        self._sectors: dict[str, tuple[str, str]] = {}

    def chance(self, share: float, what: str) -> bool:
        hit = self.rng.random() < share
        if hit:
            self.counts[what] += 1
        return hit

    def name(self, row: dict[str, str]) -> tuple[str, str]:
        name, name_en = row["name"], row["name_en"]
        if self.rng.random() < SHARE_NAME_ABBREVIATED:
            for long, shorts in (
                ("Công ty TNHH MTV", ("Cty TNHH MTV", "Công ty TNHH Một thành viên")),
                ("Công ty TNHH", ("Cty TNHH", "Cty TNHH", "C.ty TNHH")),
                ("Công ty Cổ phần", ("CTCP", "Cty CP", "Công ty CP")),
                ("CTCP", ("Cty CP", "Công ty Cổ phần")),
            ):
                if name.startswith(long):
                    name = self.rng.choice(shorts) + name[len(long) :]
                    self.counts["name abbreviated"] += 1
                    break
        if name_en and self.chance(SHARE_NAME_WITH_EN, "English name inside the name cell"):
            name, name_en = f"{name} ({name_en})", ""
        if self.chance(SHARE_NAME_UPPER, "name in capitals"):
            name = name.upper()
        return name, name_en

    def sector(self, codes: str) -> str:
        """One spelling per sector value, so a merged block reads the same on every row."""
        if codes not in self._sectors:
            style = self.rng.choices(SECTOR_STYLES, SECTOR_STYLE_WEIGHTS)[0]
            parts = codes.split(";")
            if style == "code":
                text = "; ".join(parts)
            elif style == "code and name":
                sep = self.rng.choice((" - ", ". ", " – "))
                text = "; ".join(f"{c}{sep}{self.rng.choice(SECTOR_NAMES[c])}" for c in parts)
            else:
                text = self.rng.choice((", ", "; ")).join(
                    self.rng.choice(SECTOR_NAMES[c]) for c in parts
                )
            self._sectors[codes] = (style, text)
        style, text = self._sectors[codes]
        self.counts[f"sector as {style}"] += 1
        return text

    def tax_code(self, code: str) -> str | int:
        if "-" not in code and self.chance(SHARE_TAX_NUMBER, "tax code stored as a number"):
            return int(code)
        if self.chance(SHARE_TAX_SPACED, "tax code typed in groups"):
            sep = self.rng.choice((" ", "."))
            head, _, branch = code.partition("-")
            grouped = sep.join((head[:4], head[4:7], head[7:]))
            return f"{grouped}-{branch}" if branch else grouped
        return code

    def address(self, row: dict[str, str]) -> str:
        parts: list[str] = []
        park = row["industrial_park"]
        if park:
            park = re.sub(r"\s*\(.*?\)", "", park)  # "KCN Nam Hà Nội (Phú Xuyên)" → its name
            kind, _, rest = park.partition(" ")
            if kind == "KCN":
                park = self.rng.choice(("KCN", "KCN", "Khu công nghiệp", "Khu CN")) + " " + rest
            elif kind == "CCN":
                park = self.rng.choice(("CCN", "Cụm công nghiệp", "Cụm CN")) + " " + rest
            elif park.startswith("Khu CNC"):
                park = self.rng.choice(("Khu CNC", "Khu Công nghệ cao")) + park[len("Khu CNC") :]
            lot = self.rng.choice(
                (
                    f"Lô CN{self.rng.randint(1, 12)}",
                    f"Lô {self.rng.choice('ABCDE')}{self.rng.randint(1, 9)}"
                    f"-{self.rng.randint(1, 20)}",
                    f"Lô {self.rng.randint(1, 60)}",
                    f"Nhà xưởng số {self.rng.randint(1, 8)}",
                )
            )
            parts += [lot, park]
            self.counts["address with an industrial park"] += 1
        else:
            street = self.rng.choice(STREETS)
            parts += self.rng.choice(
                (
                    [f"Số {self.rng.randint(1, 300)} {street}"],
                    [f"Km {self.rng.randint(2, 30)}", street],
                    [self.rng.choice(HAMLETS)],
                )
            )
        district = row["district"]
        kind = DISTRICT_KIND.get(district, "huyện")
        form = self.rng.choices(("lower", "title", "abbrev", "bare"), (55, 15, 20, 10))[0]
        self.counts[f"district written {form}"] += 1
        if form == "lower":
            parts.append(f"{kind} {district}")
        elif form == "title":
            parts.append(f"{kind[0].upper()}{kind[1:]} {district}")
        elif form == "abbrev":
            parts.append(f"{DISTRICT_ABBREV[kind]} {district}")
        else:
            parts.append(district)
        province = row["province"]
        if province == "Hà Nội":
            parts.append(
                self.rng.choices(
                    ("TP. Hà Nội", "Hà Nội", "Thành phố Hà Nội", "TP Hà Nội"), (35, 30, 20, 15)
                )[0]
            )
        else:
            parts.append(
                self.rng.choices((f"tỉnh {province}", province, f"Tỉnh {province}"), (50, 40, 10))[
                    0
                ]
            )
        if self.chance(SHARE_ADDRESS_VIETNAM, "address ends with Việt Nam"):
            parts.append("Việt Nam")
        return ", ".join(parts)

    def certificates(self, raw: str) -> str:
        items = [c.strip() for c in raw.split(";") if c.strip()]
        if not items:
            return ""
        self.counts["firms with certificates"] += 1
        out = []
        for item in items:
            self.counts["certificates"] += 1
            if self.chance(SHARE_CERT_RESPELT, "certificates respelt"):
                out.append(self.rng.choice(CERT_SPELLINGS[classify_certificate(item)]))
            else:
                out.append(item)
        separators = CERT_SEPARATORS
        if any("/" in c for c in out):
            # "ISO 9001 / ISO/TS 16949" is ambiguous even to a person: never a slash separator
            # in a cell that holds a slash inside a certificate name.
            separators = tuple(s for s in CERT_SEPARATORS if "/" not in s)
        if len(out) > 1:
            sep = self.rng.choices(
                separators,
                [
                    w
                    for s, w in zip(CERT_SEPARATORS, CERT_SEPARATOR_WEIGHTS, strict=True)
                    if s in separators
                ],
            )[0]
            self.counts[f"certificate separator {sep!r}"] += 1
            return sep.join(out)
        return out[0]

    def listing(self, raw: str) -> str:
        items = [c.strip() for c in raw.split(";") if c.strip()]
        if len(items) > 1 and self.chance(SHARE_LIST_NEWLINE, "list cell one item per line"):
            return "\n".join(items)
        return "; ".join(items)


def _number(value: str) -> int | None:
    return int(value) if value.strip() else None


def messy_rows(
    rows: list[dict[str, str]], rng: random.Random
) -> tuple[list[list[object]], Counter[str]]:
    """The register's data rows (in HEADERS order), sorted by sector; plus what was done."""
    mess = Messifier(rng)
    ordered = sorted(rows, key=lambda r: (sector_key(r["sector"]), r["supplier_id"]))
    out: list[list[object]] = []
    for number, row in enumerate(ordered, start=1):
        no_marks = mess.chance(SHARE_NO_DIACRITICS, "row typed without diacritics")
        name, name_en = mess.name(row)
        description = row["description"]
        if name != row["name"] and "Cty" in name:
            # the same typist abbreviates in the profile text too
            description, hits = re.subn(r"\b[Cc]ông ty\b", "Cty", description)
            mess.counts["description with Cty"] += bool(hits)
        address = mess.address(row)
        products = mess.listing(row["products"])
        processes = mess.listing(row["processes"])
        materials = mess.listing(row["materials"])
        customers = mess.listing(row["customers"])
        contact = row["contact_name"]
        if no_marks:
            name, description, address, contact = map(
                strip_diacritics, (name, description, address, contact)
            )
            products, processes, materials, customers = map(
                strip_diacritics, (products, processes, materials, customers)
            )
        domain = row["contact_email"].partition("@")[2]
        website = None
        if domain and mess.chance(SHARE_WEBSITE, "website given"):
            website = rng.choice((f"www.{domain}", f"http://{domain}", f"https://www.{domain}"))
        note = rng.choice(NOTES) if mess.chance(SHARE_NOTE, "note given") else None
        ownership = {"domestic": "Trong nước", "fdi": "FDI", "jv": "Liên doanh"}[row["ownership"]]
        out.append(
            [
                number,
                name,
                name_en or None,
                mess.tax_code(row["tax_code"]),
                address,
                mess.sector(row["sector"]),
                products or None,
                processes or None,
                materials or None,
                description,
                mess.certificates(row["certifications"]) or None,
                customers or None,
                _number(row["tier"]),
                row["monthly_capacity"] or None,
                _number(row["employees"]),
                _number(row["founded_year"]),
                ownership,
                row["languages"],
                contact,
                row["contact_email"],
                row["contact_phone"],
                website,
                *(_number(row[f"criteria_{i}"]) for i in range(1, 8)),
                "x" if row["priority_product"] == "1" else None,
                "Có" if row["key_product"] == "1" else "Không",
                note,
            ]
        )
    return out, mess.counts


def sector_blocks(rows: list[list[object]]) -> list[tuple[int, int]]:
    """(first, last) data-row indexes of each run of two or more rows with one sector."""
    blocks, start = [], 0
    column = SECTOR_COLUMN - 1
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][column] != rows[start][column]:
            if i - start > 1:
                blocks.append((start, i - 1))
            start = i
    return blocks


def write_xlsx(rows: list[list[object]], path: Path) -> int:
    """Write the register; return the number of merged sector blocks."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Danh sách DN"
    width = len(HEADERS)
    bold = Font(bold=True)
    for row_no, (text, size) in enumerate(((TITLE, 14), (SUBTITLE, 11), (DATE_LINE, 11)), 1):
        sheet.cell(row=row_no, column=1, value=text).font = Font(bold=row_no == 1, size=size)
        sheet.cell(row=row_no, column=1).alignment = Alignment(horizontal="center")
        sheet.merge_cells(start_row=row_no, start_column=1, end_row=row_no, end_column=width)
    header_row = 5  # row 4 stays blank, as under most letterheads
    for col, header in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=header_row, column=col, value=header)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    first = header_row + 1
    blocks = sector_blocks(rows)
    merged_below = {i for start, end in blocks for i in range(start + 1, end + 1)}
    for i, values in enumerate(rows):
        for col, value in enumerate(values, start=1):
            if col == SECTOR_COLUMN and i in merged_below:
                continue  # a merged cell keeps its value in the top-left cell only
            cell = sheet.cell(row=first + i, column=col, value=value)
            if col == HEADERS.index("Mã số thuế") + 1 and isinstance(value, str):
                cell.number_format = "@"
            if isinstance(value, str) and "\n" in value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for start, end in blocks:
        sheet.merge_cells(
            start_row=first + start, start_column=SECTOR_COLUMN,
            end_row=first + end, end_column=SECTOR_COLUMN,
        )  # fmt: skip
        sheet.cell(row=first + start, column=SECTOR_COLUMN).alignment = Alignment(
            horizontal="center", vertical="center"
        )
    widths = {"STT": 6, "Tên doanh nghiệp": 40, "Địa chỉ": 45, "Năng lực": 80, "Chứng chỉ": 28}
    for col, header in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = widths.get(header, 14)
    sheet.freeze_panes = sheet.cell(row=first, column=3)
    guide = book.create_sheet("Hướng dẫn")
    guide["A1"] = (
        "Lĩnh vực: I dệt may, II da giày, III điện tử, IV ô tô, V cơ khí, VI công nghệ cao"
    )
    guide["A2"] = "Sản phẩm ưu tiên: đánh dấu x; Sản phẩm chủ lực: Có/Không"
    book.properties.creator = "Sở Công Thương Hà Nội"
    book.properties.created = STAMP
    buffer = io.BytesIO()
    book.save(buffer)
    _write_reproducible_zip(buffer.getvalue(), path)
    return len(blocks)


def _write_reproducible_zip(data: bytes, path: Path) -> None:
    """Re-pack the workbook with fixed timestamps so a re-run writes the same bytes."""
    stamp = STAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=STAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, content)


def write_csv(rows: list[list[object]], path: Path) -> None:
    """Excel's "CSV UTF-8" export of the same sheet, with a ';' list separator (vi-VN locale)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    empty = [""] * (len(HEADERS) - 1)
    for text in (TITLE, SUBTITLE, DATE_LINE, ""):
        writer.writerow([text, *empty])
    writer.writerow(HEADERS)
    for values in rows:
        writer.writerow(["" if v is None else v for v in values])
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def write_readme(counts: Counter[str], n: int, blocks: int, path: Path) -> None:
    def share(key: str, of: int = n) -> str:
        return f"{counts[key]} of {of} ({100 * counts[key] / of:.0f}%)"

    with_en = counts["__with_en"]
    lines = [
        "# Messy sample register (`sample-messy` suite)",
        "",
        f"The 398 firms of `../suppliers.csv`, rewritten by `../../make_messy.py` (seed `{SEED}`,",
        "deterministic) the way real Vietnamese programme registers arrive. The meaning of every",
        "profile is unchanged, so `../labels.csv` stays valid: the `sample-messy` suite",
        "(`matcher/evaluation/suites.py`) reads `suppliers.xlsx` with",
        "`matcher.ingest.load_suppliers` and remaps each label's supplier from its sample id to",
        "the messy register's id through the tax code (every sample firm has one, all distinct, so",
        "the tax code is the firm's key).",
        "The requirements and the dev/test split are the `sample` suite's.",
        "",
        "| file | what |",
        "|---|---|",
        "| `suppliers.xlsx` | sheet `Danh sách DN` (the register) and a second sheet `Hướng dẫn` |",
        "| `suppliers.csv` | the same sheet as Excel's CSV UTF-8 export in a vi-VN locale: `;` "
        "delimiter, BOM, CRLF, title rows kept, sector on every row (CSV has no merged cells) |",
        "",
        "Counts below are from the run that wrote the files (the generator rewrites this file).",
        "",
        "## Layout (every row)",
        "- Rows 1-3: title `DANH SÁCH DOANH NGHIỆP CNHT THAM GIA KẾT NỐI CUNG ỨNG...`, a programme "
        "line and a date line (`Hà Nội, cập nhật đến ngày 15/11/2026`), each merged across the "
        "table; row 4 blank; **the header is on row 5**, data from row 6.",
        "- Vietnamese headers (`STT`, `Tên doanh nghiệp`, `Tên tiếng Anh`, `Mã số thuế`, "
        "`Địa chỉ`, `Lĩnh vực`, `Sản phẩm chính`, `Công nghệ sản xuất`, `Vật liệu`, `Năng lực` "
        "(the capability description), `Chứng chỉ`, `Khách hàng chính`, `Công suất`, "
        "`Số lao động`, `Năm thành lập`, `Loại hình sở hữu`, `Ngôn ngữ`, `Người liên hệ`, "
        "`Điện thoại`, `Tiêu chí 1`...`Tiêu chí 7`, `Sản phẩm ưu tiên`, `Sản phẩm chủ lực`, "
        "`Ghi chú`) mixed with English ones (`Tier`, `Email`, `Website`).",
        "- **No supplier-id column**: the id must come from `Mã số thuế`. `STT` numbers the rows "
        "1...398 in the register's order.",
        "- Rows sorted by sector (`I`, `II`, `III`, `III;IV`, ...); the `Lĩnh vực` cells are "
        "**merged** "
        f"over each run of firms with the same sector value ({blocks} merged blocks; only a "
        "block's first cell holds the value). One spelling per block: the code "
        f"(`V`, `IV; V`) for {counts['sector as code']} rows, code and name (`V - Cơ khí chế "
        f"tạo`, `IV. Ô tô; V. Cơ khí`) for {counts['sector as code and name']}, the name only "
        f"(`Ngành điện tử`, `Ô tô, Cơ khí chế tạo`) for {counts['sector as name']}.",
        "- `Địa chỉ` holds province, district and park in one text, e.g. `Lô CN3, KCN Nam Hà Nội, "
        "huyện Phú Xuyên, TP. Hà Nội`; there are no `province`/`district`/`industrial_park` "
        "columns.",
        "- Ownership in Vietnamese/English (`Trong nước`, `FDI`, `Liên doanh`); priority product "
        "`x` or empty; key product `Có`/`Không`.",
        "- Unknown columns: `Website`, `Ghi chú` (free notes in Vietnamese or English).",
        "",
        "## Mess drawn per row",
        "| what | rows |",
        "|---|---|",
        f"| typed **without diacritics** (name, description, product/process/material/customer "
        f"lists, address, contact): `Cong ty TNHH Duc Thang`, `huyen Phu Xuyen, TP. Ha Noi` "
        f"| {share('row typed without diacritics')} |",
        f"| company type abbreviated (`Cty TNHH`, `C.ty TNHH`, `Cty TNHH MTV`, `CTCP`, `Cty CP`; "
        f"`Công ty` → `Cty` in the description too, {counts['description with Cty']} rows) "
        f"| {share('name abbreviated')} |",
        f"| English name put in the name cell, `Tên VN (English Co., Ltd)`, English column empty "
        f"| {share('English name inside the name cell', with_en)} of firms with an English name |",
        f"| name in capitals | {share('name in capitals')} |",
        "| tax code stored as a number (leading `0` lost) "
        f"| {counts['tax code stored as a number']} |",
        f"| tax code typed in groups (`0144 854 472`, `0144.854.472`) "
        f"| {counts['tax code typed in groups']} |",
        f"| a list cell written one item per line instead of `;` (counted per cell) "
        f"| {counts['list cell one item per line']} cells |",
        f"| address with an industrial park or cluster (`KCN`, `Khu công nghiệp`, `Khu CN`, `CCN`, "
        f"`Cụm công nghiệp`, `Khu CNC`/`Khu Công nghệ cao`; the sample's `(Phú Xuyên)` suffix "
        f"dropped) | {share('address with an industrial park')} |",
        f"| district as `huyện X`/`quận X`/`thị xã X`/`thành phố X` "
        f"| {share('district written lower')} |",
        f"| district capitalised (`Huyện X`) | {share('district written title')} |",
        f"| district abbreviated (`H. X`, `Q. X`, `TX. X`, `TP. X`) "
        f"| {share('district written abbrev')} |",
        f"| district bare (`..., Phú Xuyên, Hà Nội`) | {share('district written bare')} |",
        "| province as `TP. Hà Nội`/`Hà Nội`/`Thành phố Hà Nội`/`TP Hà Nội`, others "
        "`tỉnh X`/`X`/`Tỉnh X` | every row |",
        f"| address ends with `, Việt Nam` | {share('address ends with Việt Nam')} |",
        f"| `Website` given | {share('website given')} |",
        f"| `Ghi chú` given | {share('note given')} |",
        "",
        "## Certificates (`Chứng chỉ`)",
        f"{counts['firms with certificates']} firms hold {counts['certificates']} certificates "
        "(the sample's). One cell per firm; "
        f"{share('certificates respelt', counts['certificates'])} certificates respelt as another "
        "spelling of the same certificate: `ISO9001:2015`, `TCVN ISO 9001:2015`, `iso 14001`, "
        "`IATF`, `ISO/TS 16949`, `IATF 16949:2016`, `QC080000`, `IECQ QC 080000:2017`, "
        "`QC 080000 HSPM`, `Eco Partner Samsung`, `SEC Eco-Partner`, `Eco-Partner (Samsung)`, "
        "`RBA Code of Conduct`... (the rest keep the sample's own loose spelling). Separators "
        "between certificates in a cell with two or more:",
        "",
        "| separator | cells |",
        "|---|---|",
        *(
            f"| {SEPARATOR_NAMES[sep]} | {counts[f'certificate separator {sep!r}']} |"
            for sep in CERT_SEPARATORS
        ),
        "",
        "A cell that holds `ISO/TS 16949` never uses `/` as its separator (ambiguous even to a "
        "person). Not included, because they would change what a firm holds: `Không`/`-` for "
        "none, shared prefixes (`ISO 9001, 14001`), certificates in progress "
        "(`đang xây dựng ISO 9001`).",
        "",
        "## What did not change",
        "Description wording (apart from diacritics and `Cty` above), products, processes, "
        "materials, customers, capacity, employees, year, tier, languages, contacts, criteria, "
        "the priority/key flags, the set of certificates each firm holds, sectors, provinces and "
        "districts (as parsed back from the address).",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    with open(SOURCE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    missing = [r["supplier_id"] for r in rows if not r["tax_code"].strip()]
    if missing or len({r["tax_code"] for r in rows}) != len(rows):
        raise SystemExit(f"every firm needs a distinct tax code to be its id; missing: {missing}")
    rng = random.Random(SEED)
    table, counts = messy_rows(rows, rng)
    counts["__with_en"] = sum(1 for r in rows if r["name_en"])
    OUT.mkdir(parents=True, exist_ok=True)
    blocks = write_xlsx(table, OUT / "suppliers.xlsx")
    write_csv(table, OUT / "suppliers.csv")
    write_readme(counts, len(rows), blocks, OUT / "README.md")
    print(f"wrote {len(table)} firms ({blocks} merged sector blocks) to {OUT}")


if __name__ == "__main__":
    main()
