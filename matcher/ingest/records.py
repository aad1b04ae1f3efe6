"""Records: the rows of a table checked as suppliers or requirements by the pydantic models in
matcher/schemas.py, every problem reported with file, row and column; the register's own columns
kept as ``extra`` fields; an address filling an empty province and district (matcher/places.py);
the tax code as the id where there is no id column; ids unique within a file."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any, Generic, TypedDict, TypeVar, Unpack, get_origin

from pydantic import ValidationError

from matcher.config import InputSettings
from matcher.errors import InputDataError, Problem
from matcher.ingest.columns import SCHEMAS, Columns, Kind, header_test, map_columns
from matcher.ingest.duplicates import find_duplicate_firms
from matcher.ingest.read import read_table
from matcher.normalise import fold, nfc
from matcher.places import Places, load_places
from matcher.schemas import DuplicateFirm, Requirement, Supplier, canonical_tax_code

log = logging.getLogger(__name__)

RecordT = TypeVar("RecordT", Supplier, Requirement)


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


class LoadOptions(TypedDict, total=False):
    """The keyword options of load_suppliers and load_requirements (see load_records)."""

    sheet: str | None
    header_row: int | None
    limits: InputSettings | None


def load_suppliers(path: Path | str, **options: Unpack[LoadOptions]) -> IngestResult[Supplier]:
    """Read and validate a supplier register (see load_records)."""
    return load_records(path, "suppliers", **options)


def load_requirements(
    path: Path | str, **options: Unpack[LoadOptions]
) -> IngestResult[Requirement]:
    """Read and validate a file of buyers' requirements (see load_records)."""
    return load_records(path, "requirements", **options)


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
    model = SCHEMAS[kind][0]
    read = read_table(
        path, sheet, header_row=header_row, is_header=header_test(kind), limits=limits
    )
    if not read.rows and not read.headers:  # JSON: an empty array or only blank lines
        raise InputDataError([Problem(str(path), None, None, "no records")])
    columns, problems = map_columns(str(path), read, kind, header_row)
    column_of, id_field, tax_field = columns.column_of, columns.id_field, columns.tax_field
    # The address fills province and district where those are absent; factory address first.
    address_columns = columns.address_columns
    places = load_places() if address_columns else None
    has_district = "district" in model.model_fields
    list_fields = {f for f, i in model.model_fields.items() if get_origin(i.annotation) is list}
    # A JSON record's own "extra" object (a workspace export read back) is merged, not nested.
    is_json = path.suffix.lower() in (".json", ".jsonl")
    extra_columns = [h for h in columns.extra if not (is_json and h == "extra")]

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
            _fill_place(values, [extra.get(h, "") for h in address_columns], places, has_district)
        if columns.id_from_tax:
            tax = str(values.get(tax_field, "")).strip()
            try:
                values[id_field] = canonical_tax_code(values[tax_field]) if tax else ""
            except ValueError:
                values[id_field] = tax  # the tax_code check below reports it
        # Duplicate ids are checked on the raw cell, so a repeat of an invalid row is caught too.
        record_id = str(values.get(id_field, "")).strip()
        if record_id and record_id in first_row_of_id:
            what = "tax code (the supplier id here)" if columns.id_from_tax else "id"
            problems.append(
                Problem(
                    str(path),
                    raw.row,
                    columns.id_column,
                    f"duplicate {what} {record_id!r} (first on row {first_row_of_id[record_id]})",
                )
            )
            continue
        if record_id:
            first_row_of_id[record_id] = raw.row
        try:
            record = model.model_validate(values)
        except ValidationError as exc:
            problems.extend(_problems(str(path), raw.row, exc, columns))
            continue
        records.append(record)
        row_numbers.append(raw.row)
    if not read.rows:
        problems.append(Problem(str(path), None, None, "no records"))
    if problems:
        raise InputDataError(problems)
    if columns.ignored:
        log.info("%s: ignoring row-number columns %s", path, columns.ignored)
    warnings = list(read.warnings)
    if extra_columns:
        warnings.append(f"columns kept as extra fields: {', '.join(extra_columns)}")
    for warning in warnings:
        log.warning("%s: %s", path, warning)
    duplicates = find_duplicate_firms(records, row_numbers) if kind == "suppliers" else []
    return IngestResult(
        path,
        records,
        row_numbers,
        duplicates,
        columns.ignored,
        extra_columns,
        warnings,
        read.header_row,
    )


def _fill_place(
    values: dict[str, Any], addresses: list[str], places: Places, has_district: bool
) -> None:
    """Province, and district where the model has one, from the first address that names a
    province; a column's own value wins, and a district is taken only within its province."""
    for address in addresses:
        place = places.parse(address)
        if place.province is None:
            continue
        if not str(values.get("province", "")).strip():
            values["province"] = place.province
        same = fold(str(values["province"])) == fold(place.province)
        empty = not str(values.get("district", "")).strip()
        if has_district and place.district and same and empty:
            values["district"] = place.district
        break


def _problems(source: str, row: int, exc: ValidationError, columns: Columns) -> list[Problem]:
    """A row's validation errors, each under the column the person wrote it in."""
    problems = []
    for err in exc.errors():
        field_name = str(err["loc"][0]) if err["loc"] else None
        column = columns.column_of.get(field_name or "", field_name)
        message = err["msg"]
        if err["type"] == "string_too_short":
            message = "must not be empty"
        if field_name == columns.id_field and columns.id_from_tax:
            column = columns.id_column
            message += " (the tax code is the supplier id: there is no id column)"
        got = repr(err.get("input"))
        got = got if len(got) <= 80 else f"{got[:60]}… ({len(got):,} characters)"
        problems.append(Problem(source, row, column, f"{message} (got {got})"))
    return problems


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
