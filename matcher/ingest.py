"""Ingest: read CSV / XLSX / JSON / JSONL registers with English or Vietnamese headers, validate
every row with pydantic, report every problem with file, row and column, and detect duplicate
firms."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from matcher.errors import InputDataError, Problem
from matcher.normalise import firm_name_key, fold, nfc
from matcher.schemas import DuplicateFirm, Requirement, Supplier

log = logging.getLogger(__name__)

Kind = Literal["suppliers", "requirements"]
SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".json", ".jsonl")

# Header aliases, keyed by the folded header (lower case, no diacritics, '_'/'-' as spaces), so
# "Mã số thuế", "ma so thue" and "tax_code" all land on tax_code.
_SUPPLIER_ALIASES: dict[str, tuple[str, ...]] = {
    "supplier_id": ("supplier id", "id", "ma doanh nghiep", "ma dn", "ma nha cung cap", "stt dn"),
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
_SCHEMAS: dict[Kind, tuple[type[BaseModel], dict[str, tuple[str, ...]], tuple[str, ...]]] = {
    "suppliers": (Supplier, _SUPPLIER_ALIASES, ("supplier_id", "name", "description")),
    "requirements": (Requirement, _REQUIREMENT_ALIASES, ("requirement_id", "buyer", "description")),
}

RecordT = TypeVar("RecordT", Supplier, Requirement)


def _header_key(header: str) -> str:
    return " ".join(fold(header).replace("_", " ").replace("-", " ").split())


def _alias_table(aliases: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for field_name, names in aliases.items():
        table[_header_key(field_name)] = field_name
        for name in names:
            table.setdefault(_header_key(name), field_name)
    return table


@dataclass(frozen=True)
class RawRow:
    row: int  # spreadsheet row number (header = 1) or record number for JSON
    cells: dict[str, Any]  # original header → value


@dataclass
class IngestResult(Generic[RecordT]):
    """Validated records of one file, plus what a person should know about them."""

    path: Path
    records: list[RecordT]
    rows: list[int]
    duplicates: list[DuplicateFirm]
    ignored_columns: list[str]


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputDataError(
            [
                Problem(
                    str(path),
                    line,
                    None,
                    f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                    "save the file as UTF-8 (Excel: 'CSV UTF-8'), e.g. "
                    f"iconv -f WINDOWS-1258 -t UTF-8 {path.name}",
                )
            ]
        ) from None


def read_rows(path: Path, sheet: str | None = None) -> tuple[list[str], list[RawRow]]:
    """Read a table into (headers, rows) whatever its format; cells are kept as given."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputDataError(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    f"unsupported file type {suffix or '(none)'}; use one of {SUPPORTED_SUFFIXES}",
                )
            ]
        )
    if not path.is_file():
        raise InputDataError([Problem(str(path), None, None, "file not found")])
    if suffix == ".xlsx":
        return _read_xlsx(path, sheet)
    text = _decode(path, path.read_bytes())
    if suffix == ".csv":
        return _read_csv(path, text)
    return _read_json(path, text, lines=suffix == ".jsonl")


def _read_csv(path: Path, text: str) -> tuple[list[str], list[RawRow]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader)
    except StopIteration:
        raise InputDataError([Problem(str(path), 1, None, "the file is empty")]) from None
    except csv.Error as exc:
        raise InputDataError([Problem(str(path), 1, None, f"unreadable CSV: {exc}")]) from None
    rows: list[RawRow] = []
    problems: list[Problem] = []
    try:
        for values in reader:
            row_no = reader.line_num
            if not any(v.strip() for v in values):
                continue  # blank lines are not records
            if len(values) > len(headers):
                problems.append(
                    Problem(
                        str(path), row_no, None, f"{len(values)} cells but {len(headers)} headers"
                    )
                )
                continue
            rows.append(RawRow(row_no, dict(zip(headers, values, strict=False))))
    except csv.Error as exc:
        problems.append(Problem(str(path), reader.line_num, None, f"unreadable CSV: {exc}"))
    if problems:
        raise InputDataError(problems)
    return headers, rows


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], list[RawRow]]:
    import openpyxl  # deferred: only XLSX users pay for the import

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputDataError([Problem(str(path), None, None, f"unreadable XLSX: {exc}")]) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise InputDataError(
                [
                    Problem(
                        str(path),
                        None,
                        None,
                        f"no sheet {sheet!r}; sheets are {', '.join(book.sheetnames)}",
                    )
                ]
            )
        ws = book[sheet] if sheet else book.worksheets[0]
        it = ws.iter_rows(values_only=True)
        first = next(it, None)
        if first is None:
            raise InputDataError([Problem(f"{path}[{ws.title}]", 1, None, "the sheet is empty")])
        headers = ["" if h is None else str(h) for h in first]
        rows = []
        for row_no, values in enumerate(it, start=2):
            cells = {h: v for h, v in zip(headers, values, strict=False) if h}
            if all(v is None or str(v).strip() == "" for v in cells.values()):
                continue
            rows.append(RawRow(row_no, cells))
        return headers, rows
    finally:
        book.close()


def _read_json(path: Path, text: str, *, lines: bool) -> tuple[list[str], list[RawRow]]:
    records: list[tuple[int, Any]] = []
    problems: list[Problem] = []
    if lines:
        for line_no, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((line_no, json.loads(line)))
            except json.JSONDecodeError as exc:
                problems.append(Problem(str(path), line_no, None, f"invalid JSON: {exc.msg}"))
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputDataError(
                [Problem(str(path), exc.lineno, None, f"invalid JSON: {exc.msg}")]
            ) from None
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]  # the API's {data, count} envelope
        if not isinstance(data, list):
            raise InputDataError(
                [Problem(str(path), None, None, "expected a JSON array of objects")]
            )
        records = list(enumerate(data, start=1))
    headers: dict[str, None] = {}
    rows = []
    for number, record in records:
        if not isinstance(record, dict):
            problems.append(Problem(str(path), number, None, "record is not a JSON object"))
            continue
        headers.update(dict.fromkeys(record))
        rows.append(RawRow(number, record))
    if problems:
        raise InputDataError(problems)
    return list(headers), rows


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # Excel stores 2015 as 2015.0
    return value


def load_records(path: Path | str, kind: Kind, *, sheet: str | None = None) -> IngestResult[Any]:
    """Read and validate a whole file; raise InputDataError listing every problem found."""
    path = Path(path)
    model, aliases, required = _SCHEMAS[kind]
    headers, rows = read_rows(path, sheet)
    table = _alias_table(aliases)
    column_of: dict[str, str] = {}  # field → original header
    ignored: list[str] = []
    problems: list[Problem] = []
    for header in headers:
        if not str(header).strip():
            continue
        field_name = table.get(_header_key(str(header)))
        if field_name is None:
            ignored.append(str(header))
        elif field_name in column_of:
            problems.append(
                Problem(
                    str(path),
                    1,
                    str(header),
                    f"maps to '{field_name}' like '{column_of[field_name]}'; "
                    "keep one of the two columns",
                )
            )
        else:
            column_of[field_name] = str(header)
    missing = [f for f in required if f not in column_of]
    for field_name in missing:
        problems.append(
            Problem(
                str(path),
                1,
                field_name,
                f"required column missing (accepted headers: {', '.join(aliases[field_name][:4])}, "
                f"{field_name}); found: {', '.join(map(str, headers)) or 'none'}",
            )
        )
    if missing:
        raise InputDataError(problems)
    if ignored:
        log.info("%s: ignoring unknown columns %s", path, ignored)

    id_field = required[0]
    records: list[Any] = []
    row_numbers: list[int] = []
    first_row_of_id: dict[str, int] = {}
    for raw in rows:
        values = {f: _cell(raw.cells.get(h)) for f, h in column_of.items()}
        values = {f: ("" if v is None else v) for f, v in values.items()}
        # Duplicate ids are checked on the raw cell, so a repeat of an invalid row is caught too.
        record_id = str(values.get(id_field, "")).strip()
        if record_id and record_id in first_row_of_id:
            problems.append(
                Problem(
                    str(path),
                    raw.row,
                    column_of[id_field],
                    f"duplicate id {record_id!r} (first on row {first_row_of_id[record_id]})",
                )
            )
            continue
        if record_id:
            first_row_of_id[record_id] = raw.row
        try:
            record = model.model_validate(values)
        except ValidationError as exc:
            for err in exc.errors():
                field_name = str(err["loc"][0]) if err["loc"] else None
                column = column_of.get(field_name or "", field_name)
                message = err["msg"]
                if err["type"] == "string_too_short":
                    message = "must not be empty"
                problems.append(
                    Problem(str(path), raw.row, column, f"{message} (got {err.get('input')!r})")
                )
            continue
        records.append(record)
        row_numbers.append(raw.row)
    if not rows:
        problems.append(Problem(str(path), None, None, "no records"))
    if problems:
        raise InputDataError(problems)
    duplicates = find_duplicate_firms(records, row_numbers) if kind == "suppliers" else []
    return IngestResult(path, records, row_numbers, duplicates, ignored)


def load_suppliers(path: Path | str, *, sheet: str | None = None) -> IngestResult[Supplier]:
    return load_records(path, "suppliers", sheet=sheet)


def load_requirements(path: Path | str, *, sheet: str | None = None) -> IngestResult[Requirement]:
    return load_records(path, "requirements", sheet=sheet)


def find_duplicate_firms(suppliers: list[Supplier], rows: list[int]) -> list[DuplicateFirm]:
    """Pairs of rows that are the same firm: same tax code, or same folded name."""
    out: list[DuplicateFirm] = []
    seen_tax: dict[str, tuple[str, int]] = {}
    seen_name: dict[str, tuple[str, int]] = {}
    for supplier, row in zip(suppliers, rows, strict=True):
        if supplier.tax_code:
            if supplier.tax_code in seen_tax:
                first_id, first_row = seen_tax[supplier.tax_code]
                out.append(
                    DuplicateFirm(
                        supplier_ids=(first_id, supplier.supplier_id),
                        rows=(first_row, row),
                        reason="tax_code",
                        value=supplier.tax_code,
                    )
                )
                continue
            seen_tax[supplier.tax_code] = (supplier.supplier_id, row)
        key = firm_name_key(supplier.name)
        if key and key in seen_name:
            first_id, first_row = seen_name[key]
            out.append(
                DuplicateFirm(
                    supplier_ids=(first_id, supplier.supplier_id),
                    rows=(first_row, row),
                    reason="name",
                    value=key,
                )
            )
        elif key:
            seen_name[key] = (supplier.supplier_id, row)
    return out
