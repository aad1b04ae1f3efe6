"""Ingest: read CSV / XLSX / JSON / JSONL registers with English or Vietnamese headers, validate
every row with pydantic, report every problem with file, row and column, and detect duplicate
firms.

Registers made by hand are read as people make them: title rows above the header, a ';' CSV,
merged cells, the tax code as the only id, an address instead of province and district, and
columns of their own (kept as extra fields, never dropped silently)."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar, get_origin

from pydantic import BaseModel, ValidationError

from matcher.config import InputSettings
from matcher.errors import InputDataError, Problem
from matcher.limits import (
    TextCheck,
    check_file_size,
    check_xlsx_archive,
    input_limits,
    json_depth,
    limit_text,
)
from matcher.normalise import firm_name_key, fold, nfc
from matcher.places import load_places
from matcher.schemas import DuplicateFirm, Requirement, Supplier, canonical_tax_code

log = logging.getLogger(__name__)

Kind = Literal["suppliers", "requirements"]
SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".json", ".jsonl")

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
_SCHEMAS: dict[Kind, tuple[type[BaseModel], dict[str, tuple[str, ...]], tuple[str, ...]]] = {
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
HEADER_SEARCH_ROWS = 20  # the header is looked for in this many rows from the top
CSV_DELIMITERS = (",", ";", "\t", "|")

RecordT = TypeVar("RecordT", Supplier, Requirement)
HeaderTest = Callable[[Sequence[str]], bool]


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
    # Spreadsheet row: for CSV the record's number counting blank lines, which is the file's
    # line until a quoted cell holds line breaks; for JSON the record number (JSONL: the line).
    row: int
    cells: dict[str, Any]  # original header → value


@dataclass
class IngestResult(Generic[RecordT]):
    """Validated records of one file, plus what a person should know about them."""

    path: Path
    records: list[RecordT]
    rows: list[int]
    duplicates: list[DuplicateFirm]
    ignored_columns: list[str]  # row-number columns (STT)
    extra_columns: list[str] = field(default_factory=list)  # kept in each record's ``extra``
    warnings: list[str] = field(default_factory=list)  # one line each, for the person loading
    header_row: int = 1


@dataclass(frozen=True)
class Table:
    """A file read as rows under its header."""

    headers: list[str]
    rows: list[RawRow]
    header_row: int  # spreadsheet row of the header (1 for JSON)
    delimiter: str | None = None  # CSV only
    warnings: tuple[str, ...] = ()  # one line each (control characters removed)


Grid = list[tuple[int, list[Any]]]  # (spreadsheet row, cells), every row of the sheet


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


def read_rows(
    path: Path,
    sheet: str | None = None,
    *,
    header_row: int | None = None,
    is_header: HeaderTest | None = None,
    limits: InputSettings | None = None,
) -> tuple[list[str], list[RawRow]]:
    """Read a table into (headers, rows) whatever its format; cells are kept as given."""
    table = read_table(path, sheet, header_row=header_row, is_header=is_header, limits=limits)
    return table.headers, table.rows


def read_table(
    path: Path,
    sheet: str | None = None,
    *,
    header_row: int | None = None,
    is_header: HeaderTest | None = None,
    limits: InputSettings | None = None,
) -> Table:
    """Read a table under its header row: ``header_row`` (1-based) if given, else the first of the
    top rows that ``is_header`` accepts, else the first row that is not blank.

    limits: what the file may hold (default Settings().input); every cell is checked against
    them and control characters other than tab and new lines are removed (one warning)."""
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
    if header_row is not None and header_row < 1:
        raise InputDataError(
            [Problem(str(path), None, None, f"header row {header_row}: rows count from 1")]
        )
    limits = limits or input_limits()
    check_file_size(path, limits)
    if suffix == ".xlsx":
        check_xlsx_archive(path, limits)
        source, grid = _xlsx_grid(path, sheet)
        table = _table(source, grid, header_row, is_header, None)
    else:
        source = str(path)
        text = _decode(path, path.read_bytes())
        if suffix == ".csv":
            table = _read_csv(path, text, header_row, is_header, limits)
        elif header_row is not None:
            raise InputDataError(
                [Problem(str(path), None, None, "a header row applies to CSV and XLSX, not JSON")]
            )
        else:
            headers, rows = _read_json(path, text, lines=suffix == ".jsonl", limits=limits)
            table = Table(headers, rows, 1)
    return _checked(source, table, limits)


def _checked(source: str, table: Table, limits: InputSettings) -> Table:
    """The table with every cell checked against the limits and its control characters gone."""
    if len(table.rows) > limits.max_rows:
        raise InputDataError(
            [
                Problem(
                    source,
                    table.rows[limits.max_rows].row,
                    None,
                    f"more than {limits.max_rows:,} records; "
                    + limit_text("max_rows", limits.max_rows),
                )
            ]
        )
    check = TextCheck(source, limits.max_cell_chars)
    headers = [check.cell(h, table.header_row, None) for h in table.headers]
    rows = [
        RawRow(raw.row, {h: check.cell(v, raw.row, h) for h, v in raw.cells.items()})
        for raw in table.rows
    ]
    if check.problems:
        raise InputDataError(check.problems)
    return replace(table, headers=headers, rows=rows, warnings=tuple(check.warnings()))


def _blank(values: Sequence[Any]) -> bool:
    return all(v is None or str(v).strip() == "" for v in values)


def _header_cells(values: Sequence[Any]) -> list[str]:
    return ["" if v is None else nfc(str(v)) for v in values]


def _pick_header(
    source: str, grid: Grid, header_row: int | None, is_header: HeaderTest | None
) -> int:
    """The index in ``grid`` of the header row."""
    if header_row is not None:
        for i, (row_no, _) in enumerate(grid):
            if row_no == header_row:
                return i
        last = grid[-1][0] if grid else 0
        raise InputDataError(
            [Problem(source, header_row, None, f"no header row {header_row}: the last is {last}")]
        )
    filled = [i for i, (_, values) in enumerate(grid) if not _blank(values)]
    if not filled:
        raise InputDataError([Problem(source, 1, None, "the file is empty")])
    if is_header is not None:
        for i in filled:
            if grid[i][0] > HEADER_SEARCH_ROWS:
                break
            if is_header(_header_cells(grid[i][1])):
                return i
    return filled[0]


def _table(
    source: str,
    grid: Grid,
    header_row: int | None,
    is_header: HeaderTest | None,
    delimiter: str | None,
) -> Table:
    at = _pick_header(source, grid, header_row, is_header)
    header_no, header_values = grid[at]
    headers = _header_cells(header_values)
    # A sheet is as wide as its widest row, so the header row ends in blank cells where a row
    # below is wider: drop them here so that a value out there is caught, not lost.
    while headers and not headers[-1].strip():
        headers.pop()
    blank_columns = [i for i, h in enumerate(headers) if not h.strip()]
    rows: list[RawRow] = []
    problems: list[Problem] = []
    for row_no, values in grid[at + 1 :]:
        if _blank(values):
            continue  # blank lines are not records
        if len(values) > len(headers) and not _blank(values[len(headers) :]):
            if delimiter is not None:
                message = f"{len(values)} cells but {len(headers)} headers"
                problems.append(Problem(source, row_no, None, message))
            else:
                i = next(i for i, v in enumerate(values) if i >= len(headers) and not _blank([v]))
                problems.append(_headerless(source, row_no, i, values[i], "beyond the last header"))
            continue
        lost = [i for i in blank_columns if i < len(values) and not _blank([values[i]])]
        if lost:
            problems.append(
                _headerless(source, row_no, lost[0], values[lost[0]], "under a blank header")
            )
            continue
        rows.append(RawRow(row_no, {h: v for h, v in zip(headers, values, strict=False) if h}))
    if problems:
        raise InputDataError(problems)
    return Table(headers, rows, header_no, delimiter)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _headerless(source: str, row_no: int, index: int, value: Any, where: str) -> Problem:
    shown = str(value)[:40]
    return Problem(
        source,
        row_no,
        _column_letter(index),
        f"value {shown!r} {where}: give the column a header or delete the value",
    )


def _csv_grid(source: str, text: str, delimiter: str, limits: InputSettings) -> Grid:
    # The module's own limit (process-wide) would refuse a long cell without naming its column:
    # no cell is longer than the file, and ours is checked on every cell with row and column.
    if csv.field_size_limit() < limits.max_file_bytes:
        csv.field_size_limit(limits.max_file_bytes)
    # strict: a quote left open no longer swallows the rest of the file into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    grid: Grid = []
    cap = limits.max_rows + HEADER_SEARCH_ROWS
    line = 0  # the file's line where the last record ended
    try:
        for values in reader:
            # The spreadsheet row, as Excel shows the file: a cell's line breaks start no row.
            grid.append((len(grid) + 1, values))
            line = reader.line_num
            if len(grid) > cap:
                message = f"more than {cap:,} rows; " + limit_text("max_rows", limits.max_rows)
                raise InputDataError([Problem(source, len(grid), None, message)])
    except csv.Error as exc:
        raise InputDataError(
            [Problem(source, len(grid) + 1, None, _csv_error(str(exc), line + 1, reader.line_num))]
        ) from None
    return grid


def _csv_error(error: str, start: int, end: int) -> str:
    """What a csv.Error means for a person, for the record that starts on line ``start``."""
    lines = f"line {start}" if end <= start else f"lines {start}-{end}"
    if "unexpected end of data" in error:
        return (
            f"a quote opened in this row is never closed, so the rest of the file ({lines}) "
            'would be one cell: close the quote, or double a quote inside a cell ("")'
        )
    if "expected after" in error:
        return (
            f"a quoted cell opened in this row closes on line {end} and more text follows "
            f'the closing quote ({lines}): double a quote inside a cell (""), or close the quote '
            "where the cell ends"
        )
    if "field larger than field limit" in error:
        return f"a cell longer than the limit ({lines}): {error}"
    return f"unreadable CSV ({lines}): {error}"


def _sniff_delimiter(text: str, header_row: int | None, is_header: HeaderTest | None) -> str:
    """The delimiter among CSV_DELIMITERS that makes a header row appear, else the one most
    frequent on the header line (European Excel writes ';', some exports tab or '|')."""
    # Only '\n' ends a line: splitlines() would also split at U+2028 or U+0085 inside a cell.
    head = "\n".join(text.split("\n")[: max(header_row or 0, HEADER_SEARCH_ROWS)])
    by_count = sorted(CSV_DELIMITERS, key=head.count, reverse=True)  # stable: ',' wins ties
    if is_header is not None:
        for delimiter in by_count:
            try:
                rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))
            except csv.Error:
                continue
            wanted = rows if header_row is None else rows[header_row - 1 : header_row]
            if any(is_header(_header_cells(r)) for r in wanted):
                return delimiter
    lines = [ln for ln in head.split("\n") if ln.strip()]
    if header_row is not None:
        lines = head.split("\n")[header_row - 1 : header_row]
    for line in lines:
        if any(d in line for d in CSV_DELIMITERS):
            return max(CSV_DELIMITERS, key=line.count)
    return ","


_EXCEL_SEP = re.compile(r'"?sep=(.)"?[ \t]*$')


def _read_csv(
    path: Path,
    text: str,
    header_row: int | None,
    is_header: HeaderTest | None,
    limits: InputSettings,
) -> Table:
    first, newline, rest = text.partition("\n")
    declared = _EXCEL_SEP.match(first.rstrip("\r"))
    if declared is not None:
        # Excel's "sep=;" line names the delimiter; it stays a (blank) line so that row numbers
        # are still the file's line numbers.
        delimiter = declared.group(1)
        text = newline + rest
    else:
        delimiter = _sniff_delimiter(text, header_row, is_header)
    grid = _csv_grid(str(path), text, delimiter, limits)
    return _table(str(path), grid, header_row, is_header, delimiter)


def _xlsx_grid(path: Path, sheet: str | None) -> tuple[str, Grid]:
    import openpyxl  # deferred: only XLSX users pay for the import

    # Not read_only: read-only worksheets carry no merged-cell ranges, and they size the sheet
    # by its <dimension> tag, which hand-edited or exported files often get wrong. Registers are
    # hundreds to a few thousand rows, so the whole sheet in memory is cheap.
    try:
        book = openpyxl.load_workbook(path, data_only=True)
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
        if not book.worksheets:
            raise InputDataError([Problem(str(path), None, None, "the workbook has no worksheet")])
        ws = book[sheet] if sheet else book.worksheets[0]
        source = f"{path}[{ws.title}]" if sheet else str(path)
        grid: Grid = [
            (row_no, list(values))
            for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1)
        ]
        _fill_merged_down(grid, ws.merged_cells.ranges)
        return source, grid
    finally:
        book.close()


def _fill_merged_down(grid: Grid, ranges: Any) -> None:
    """Give every row of a merged block its top cell's value (a merged 'Lĩnh vực' over 8 firms
    holds the value in the first row only). Down only: a value merged across columns belongs to
    the first column, and copying it sideways would put it under other headers."""
    for merged in ranges:
        min_col, min_row, _, max_row = merged.bounds
        if min_row > len(grid):
            continue
        top = grid[min_row - 1][1]
        value = top[min_col - 1] if min_col <= len(top) else None
        for row_no in range(min_row + 1, min(max_row, len(grid)) + 1):
            cells = grid[row_no - 1][1]
            cells.extend([None] * (min_col - len(cells)))
            cells[min_col - 1] = value


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in pairs:
        if key in record:  # json.loads would keep the last silently
            raise _DuplicateKey(key)
        record[key] = value
    return record


def _loads(text: str) -> Any:
    # Numbers stay the text written: an id 1e400 is not "inf", 0.10 not "0.1", and a 5000-digit
    # number is not a ValueError; pydantic reads the text of numeric fields as numbers.
    return json.loads(
        text,
        parse_int=str,
        parse_float=str,
        parse_constant=str,
        object_pairs_hook=_no_duplicate_keys,
    )


def _parse_json(source: str, row: int | None, text: str, limits: InputSettings) -> Problem | Any:
    """The parsed value, or the Problem that stops it."""
    try:
        value = _loads(text)
    except json.JSONDecodeError as exc:
        return Problem(
            source, row or exc.lineno, None, f"invalid JSON: {exc.msg} (column {exc.colno})"
        )
    except _DuplicateKey as exc:
        return Problem(source, row, exc.key, "the key appears twice in one object; keep one")
    except RecursionError:
        return Problem(
            source,
            row,
            None,
            "JSON nested too deep to read; " + limit_text("max_json_depth", limits.max_json_depth),
        )
    return value


def _read_json(
    path: Path, text: str, *, lines: bool, limits: InputSettings
) -> tuple[list[str], list[RawRow]]:
    source = str(path)
    records: list[tuple[int, Any]] = []
    problems: list[Problem] = []
    if lines:
        # Only '\n' ends a record: splitlines() would also split at U+2028, U+0085 or a form
        # feed, which JSON allows raw inside a string.
        for line_no, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            value = _parse_json(source, line_no, line, limits)
            if isinstance(value, Problem):
                problems.append(value)
            else:
                records.append((line_no, value))
    else:
        data = _parse_json(source, None, text, limits)
        if isinstance(data, Problem):
            raise InputDataError([data])
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]  # the API's {data, count} envelope
        if not isinstance(data, list):
            raise InputDataError([Problem(source, None, None, "expected a JSON array of objects")])
        records = list(enumerate(data, start=1))
    headers: dict[str, None] = {}
    rows = []
    for number, record in records:
        if not isinstance(record, dict):
            problems.append(Problem(source, number, None, "record is not a JSON object"))
            continue
        if json_depth(record, limits.max_json_depth) > limits.max_json_depth:
            problems.append(
                Problem(
                    source,
                    number,
                    None,
                    f"record nested more than {limits.max_json_depth} levels deep; "
                    + limit_text("max_json_depth", limits.max_json_depth),
                )
            )
            continue
        headers.update(dict.fromkeys(record))
        rows.append(RawRow(number, record))
    if problems:
        raise InputDataError(problems)
    return list(headers), rows


def _cell(value: Any, *, lines: bool = False) -> Any:
    if isinstance(value, str):
        # nfc collapses new lines too; a list cell keeps them, as they separate its items.
        return "\n".join(nfc(line) for line in value.splitlines()) if lines else nfc(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # Excel stores 2015 as 2015.0
    return value


def _text(value: Any) -> str:
    """A cell as the text kept in ``extra``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == clock() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _delimiter_name(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else repr(delimiter)


def load_records(
    path: Path | str,
    kind: Kind,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    limits: InputSettings | None = None,
) -> IngestResult[Any]:
    """Read and validate a whole file; raise InputDataError listing every problem found.

    header_row: the spreadsheet row of the header; by default the first of the top
    HEADER_SEARCH_ROWS rows that names every required column (title rows above it are skipped).
    limits: what the file may hold (default Settings().input, i.e. MATCHER_INPUT__*).
    """
    path = Path(path)
    model, aliases, required = _SCHEMAS[kind]
    id_field, fallback = required[0], _ID_FALLBACK.get(kind)
    table = _alias_table(aliases)

    def is_header(cells: Sequence[str]) -> bool:
        fields = {table.get(_header_key(c)) for c in cells if c.strip()}
        return all(f in fields or (f == id_field and fallback in fields) for f in required)

    read = read_table(path, sheet, header_row=header_row, is_header=is_header, limits=limits)
    if not read.rows and not read.headers:  # JSON: an empty array or only blank lines
        raise InputDataError([Problem(str(path), None, None, "no records")])
    header_no = read.header_row
    column_of: dict[str, str] = {}  # field → original header
    ignored: list[str] = []
    extra_columns: list[str] = []
    problems: list[Problem] = []
    for header in read.headers:
        if not header.strip():
            continue
        key = _header_key(header)
        field_name = table.get(key)
        if field_name is None:
            (ignored if key in _ROW_NUMBER_HEADERS else extra_columns).append(header)
        elif field_name in column_of:
            problems.append(
                Problem(
                    str(path),
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
            where += f"; read as CSV with delimiter {_delimiter_name(read.delimiter)}"
        if header_row is None:
            where += (
                f"; no row among the first {HEADER_SEARCH_ROWS} names every required column "
                "(give the header row: --header-row N)"
            )
        problems.append(
            Problem(
                str(path),
                header_no,
                field_name,
                f"required column missing (accepted headers: {accepted}); found: "
                f"{', '.join(h for h in read.headers if h.strip()) or 'none'}{where}",
            )
        )
    if missing:
        raise InputDataError(problems)
    tax_field = fallback or ""
    id_column = column_of[tax_field] if id_from_tax else column_of.get(id_field, "")
    # The address fills province and district where those are absent; factory address first.
    address_columns = sorted(
        (h for h in extra_columns if _header_key(h) in _ADDRESS_HEADERS),
        key=lambda h: _ADDRESS_HEADERS.index(_header_key(h)),
    )
    places = load_places() if address_columns else None
    has_district = "district" in model.model_fields
    list_fields = {f for f, i in model.model_fields.items() if get_origin(i.annotation) is list}
    # A JSON record's own "extra" object (a workspace export read back) is merged, not nested.
    is_json = path.suffix.lower() in (".json", ".jsonl")
    extra_columns = [h for h in extra_columns if not (is_json and h == "extra")]

    records: list[Any] = []
    row_numbers: list[int] = []
    first_row_of_id: dict[str, int] = {}
    for raw in read.rows:
        values = {f: _cell(raw.cells.get(h), lines=f in list_fields) for f, h in column_of.items()}
        values = {f: ("" if v is None else v) for f, v in values.items()}
        extra = {h: text for h in extra_columns if (text := _text(raw.cells.get(h)))}
        own = raw.cells.get("extra") if is_json else None
        if isinstance(own, dict):
            extra = {**{str(k): _text(v) for k, v in own.items()}, **extra}
        if extra:
            values["extra"] = extra
        if places is not None:
            for header in address_columns:
                place = places.parse(extra.get(header, ""))
                if place.province is None:
                    continue
                if not str(values.get("province", "")).strip():
                    values["province"] = place.province
                same = fold(str(values["province"])) == fold(place.province)
                empty = not str(values.get("district", "")).strip()
                if has_district and place.district and same and empty:
                    values["district"] = place.district
                break
        if id_from_tax:
            tax = str(values.get(tax_field, "")).strip()
            try:
                values[id_field] = canonical_tax_code(values[tax_field]) if tax else ""
            except ValueError:
                values[id_field] = tax  # the tax_code check below reports it
        # Duplicate ids are checked on the raw cell, so a repeat of an invalid row is caught too.
        record_id = str(values.get(id_field, "")).strip()
        if record_id and record_id in first_row_of_id:
            what = "tax code (the supplier id here)" if id_from_tax else "id"
            problems.append(
                Problem(
                    str(path),
                    raw.row,
                    id_column,
                    f"duplicate {what} {record_id!r} (first on row {first_row_of_id[record_id]})",
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
                if field_name == id_field and id_from_tax:
                    column = id_column
                    message += " (the tax code is the supplier id: there is no id column)"
                got = repr(err.get("input"))
                got = got if len(got) <= 80 else f"{got[:60]}… ({len(got):,} characters)"
                problems.append(Problem(str(path), raw.row, column, f"{message} (got {got})"))
            continue
        records.append(record)
        row_numbers.append(raw.row)
    if not read.rows:
        problems.append(Problem(str(path), None, None, "no records"))
    if problems:
        raise InputDataError(problems)
    if ignored:
        log.info("%s: ignoring row-number columns %s", path, ignored)
    warnings = list(read.warnings)
    if extra_columns:
        warnings.append(f"columns kept as extra fields: {', '.join(extra_columns)}")
    for warning in warnings:
        log.warning("%s: %s", path, warning)
    duplicates = find_duplicate_firms(records, row_numbers) if kind == "suppliers" else []
    return IngestResult(
        path, records, row_numbers, duplicates, ignored, extra_columns, warnings, header_no
    )


def load_suppliers(
    path: Path | str,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    limits: InputSettings | None = None,
) -> IngestResult[Supplier]:
    return load_records(path, "suppliers", sheet=sheet, header_row=header_row, limits=limits)


def load_requirements(
    path: Path | str,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    limits: InputSettings | None = None,
) -> IngestResult[Requirement]:
    return load_records(path, "requirements", sheet=sheet, header_row=header_row, limits=limits)


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
