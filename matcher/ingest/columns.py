"""Columns: which header holds which field of a supplier or requirement, in English or Vietnamese,
with or without diacritics; the header row is the one that names every required column. A
supplier register without an id column uses the tax code (mã số thuế) as the id; row-number
columns (STT) are dropped, never an id; every other column is kept as an extra field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import BaseModel

from matcher.errors import InputDataError, Problem
from matcher.ingest.csv_reader import delimiter_name
from matcher.ingest.table import HEADER_SEARCH_ROWS, HeaderTest, Table
from matcher.normalise import fold
from matcher.schemas import Requirement, Supplier

Kind = Literal["suppliers", "requirements"]

# Header aliases, keyed by the folded header (lower case, no diacritics, '_'/'-' as spaces), so
# "Mã số thuế", "ma so thue" and "tax_code" all land on tax_code.
_SUPPLIER_ALIASES: dict[str, tuple[str, ...]] = {
    # Never "STT" (a row number, renumbered whenever rows are sorted): see _ROW_NUMBER_HEADERS.
    "supplier_id": ("supplier id", "id", "ma doanh nghiep", "ma dn", "ma nha cung cap"),
    "name": ("name", "company name", "ten doanh nghiep", "ten cong ty", "ten dn", "ten"),
    "name_en": ("name en", "english name", "ten tieng anh", "ten giao dich"),
    "tax_code": ("tax code", "tax id", "mst", "ma so thue"),
    "description": (
        "description",
        "capability",
        "capabilities",
        "profile",
        "mo ta",
        "mo ta nang luc",
        "nang luc",
        "gioi thieu",
    ),
    "processes": ("processes", "process", "cong nghe", "quy trinh", "cong nghe san xuat"),
    "materials": ("materials", "material", "vat lieu", "nguyen lieu"),
    "products": ("products", "main products", "san pham", "san pham chinh"),
    "certifications": ("certifications", "certificates", "chung chi", "chung nhan"),
    "sector": ("sector", "sectors", "nganh", "linh vuc", "nganh uu tien"),
    "province": ("province", "city", "tinh", "tinh thanh pho", "tinh/thanh pho", "thanh pho"),
    "district": ("district", "quan huyen", "quan/huyen", "huyen", "quan"),
    "industrial_park": ("industrial park", "khu cong nghiep", "kcn", "kcn/ccn"),
    "ownership": ("ownership", "loai hinh so huu", "so huu"),
    "employees": ("employees", "headcount", "so lao dong", "so nhan vien"),
    "founded_year": ("founded year", "year founded", "founded", "nam thanh lap"),
    "tier": ("tier", "cap nha cung cap", "cap"),
    "customers": ("customers", "khach hang", "khach hang chinh"),
    "monthly_capacity": ("monthly capacity", "capacity", "cong suat", "nang luc san xuat"),
    "languages": ("languages", "ngon ngu"),
    "contact_name": ("contact name", "contact person", "nguoi lien he"),
    "contact_email": ("contact email", "email"),
    "contact_phone": ("contact phone", "phone", "dien thoai", "so dien thoai"),
    **{f"criteria_{i}": (f"criteria {i}", f"tieu chi {i}") for i in range(1, 8)},
    "priority_product": ("priority product", "san pham uu tien", "san pham chtt uu tien"),
    "key_product": ("key product", "san pham chu luc", "san pham cong nghiep chu luc"),
}
_REQUIREMENT_ALIASES: dict[str, tuple[str, ...]] = {
    "requirement_id": ("requirement id", "id", "ma yeu cau"),
    "buyer": ("buyer", "buyer name", "ben mua", "doanh nghiep mua", "nguoi mua", "khach hang"),
    "description": ("description", "requirement", "mo ta", "mo ta yeu cau", "yeu cau", "nhu cau"),
    "title": ("title", "tieu de", "ten yeu cau"),
    "buyer_id": ("buyer id", "ma ben mua"),
    "required_certifications": (
        "required certifications",
        "chung chi bat buoc",
        "chung chi yeu cau",
    ),
    "preferred_certifications": ("preferred certifications", "chung chi uu tien"),
    "sector": ("sector", "nganh", "linh vuc"),
    "province": ("province", "tinh", "tinh thanh pho", "tinh/thanh pho"),
    "processes": ("processes", "process", "cong nghe", "quy trinh"),
    "materials": ("materials", "material", "vat lieu"),
    "quantity": ("quantity", "volume", "so luong", "san luong"),
    "target_tier": ("target tier", "tier", "cap"),
    "language": ("language", "ngon ngu"),
}
SCHEMAS: dict[Kind, tuple[type[BaseModel], dict[str, tuple[str, ...]], tuple[str, ...]]] = {
    "suppliers": (Supplier, _SUPPLIER_ALIASES, ("supplier_id", "name", "description")),
    "requirements": (Requirement, _REQUIREMENT_ALIASES, ("requirement_id", "buyer", "description")),
}

# Without an id column, a supplier's tax code (mã số thuế) is its id: it identifies the firm.
_ID_FALLBACK: dict[Kind, str] = {"suppliers": "tax_code"}
# Row-number columns (STT = số thứ tự): ignored, never an id and not worth keeping.
_ROW_NUMBER_HEADERS = frozenset(
    {"stt", "so tt", "so thu tu", "stt dn", "tt", "no", "no.", "#", "row", "row no"}
)
# Address columns, the factory's first: where a firm produces is what buyers filter on.
_ADDRESS_HEADERS = (
    "dia chi nha may",
    "dia chi san xuat",
    "dia chi xuong",
    "factory address",
    "nha may",
    "dia chi",
    "address",
    "dia chi tru so",
    "dia chi tru so chinh",
    "tru so",
    "tru so chinh",
    "head office",
    "office address",
    "registered address",
)


def header_key(header: str) -> str:
    """A header as the alias tables key it: folded, '_' and '-' as spaces, spaces collapsed."""
    return " ".join(fold(header).replace("_", " ").replace("-", " ").split())


def _alias_table(aliases: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for field_name, names in aliases.items():
        table[header_key(field_name)] = field_name
        for name in names:
            table.setdefault(header_key(name), field_name)
    return table


@cache
def _field_of_header(kind: Kind) -> dict[str, str]:
    return _alias_table(SCHEMAS[kind][1])


def header_test(kind: Kind) -> HeaderTest:
    """Whether a row names every required column of ``kind`` (the header row)."""
    _, _, required = SCHEMAS[kind]
    id_field, fallback = required[0], _ID_FALLBACK.get(kind)
    table = _field_of_header(kind)

    def is_header(cells: Sequence[str]) -> bool:
        fields = {table.get(header_key(c)) for c in cells if c.strip()}
        return all(f in fields or (f == id_field and fallback in fields) for f in required)

    return is_header


@dataclass(frozen=True)
class Columns:
    """Where one table holds each field of its records."""

    column_of: dict[str, str]  # field → original header
    ignored: list[str]  # row-number columns (STT)
    extra: list[str]  # the register's own columns, kept in each record's ``extra``
    id_field: str
    tax_field: str  # the field that stands for a missing id ("" where none may)
    id_from_tax: bool  # there is no id column: the tax code is the id

    @property
    def id_column(self) -> str:
        """The header ids are read from ("" where there is none)."""
        if self.id_from_tax:
            return self.column_of[self.tax_field]
        return self.column_of.get(self.id_field, "")

    @property
    def address_columns(self) -> list[str]:
        """The extra columns that hold an address, the factory's first."""
        return sorted(
            (h for h in self.extra if header_key(h) in _ADDRESS_HEADERS),
            key=lambda h: _ADDRESS_HEADERS.index(header_key(h)),
        )


def map_columns(
    source: str, read: Table, kind: Kind, header_row: int | None
) -> tuple[Columns, list[Problem]]:
    """The columns of ``read`` and the problems found in its header that still let the rows be
    checked (two headers for one field); raise InputDataError where a required column is missing.

    header_row: the caller's, if it gave one (else the error suggests --header-row)."""
    _, aliases, required = SCHEMAS[kind]
    id_field, fallback = required[0], _ID_FALLBACK.get(kind)
    table = _field_of_header(kind)
    header_no = read.header_row
    column_of: dict[str, str] = {}  # field → original header
    ignored: list[str] = []
    extra_columns: list[str] = []
    problems: list[Problem] = []
    for header in read.headers:
        if not header.strip():
            continue
        key = header_key(header)
        field_name = table.get(key)
        if field_name is None:
            (ignored if key in _ROW_NUMBER_HEADERS else extra_columns).append(header)
        elif field_name in column_of:
            problems.append(
                Problem(
                    source,
                    header_no,
                    header,
                    f"maps to '{field_name}' like '{column_of[field_name]}'; "
                    "keep one of the two columns",
                )
            )
        else:
            column_of[field_name] = header
    id_from_tax = id_field not in column_of and fallback is not None and fallback in column_of
    missing = [f for f in required if f not in column_of and not (f == id_field and id_from_tax)]
    for field_name in missing:
        accepted = f"{', '.join(aliases[field_name][:4])}, {field_name}"
        if field_name == id_field and fallback is not None:
            accepted += f"; or a {fallback} column (Mã số thuế) as the id; STT is never an id"
        where = ""
        if read.delimiter is not None:
            where += f"; read as CSV with delimiter {delimiter_name(read.delimiter)}"
        if header_row is None:
            where += (
                f"; no row among the first {HEADER_SEARCH_ROWS} names every required column "
                "(give the header row: --header-row N)"
            )
        problems.append(
            Problem(
                source,
                header_no,
                field_name,
                f"required column missing (accepted headers: {accepted}); found: "
                f"{', '.join(h for h in read.headers if h.strip()) or 'none'}{where}",
            )
        )
    if missing:
        raise InputDataError(problems)
    columns = Columns(column_of, ignored, extra_columns, id_field, fallback or "", id_from_tax)
    return columns, problems
