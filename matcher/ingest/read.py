"""Any register file as a table: the format chosen by the suffix, the file checked against the
input limits, every cell checked and its control characters removed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TypedDict, Unpack

from matcher.config import InputSettings
from matcher.errors import InputDataError, Problem
from matcher.ingest.csv_reader import read_csv
from matcher.ingest.json_reader import read_json
from matcher.ingest.table import HeaderTest, RawRow, Table, grid_table
from matcher.ingest.xlsx_reader import xlsx_grid
from matcher.limits import TextCheck, check_file_size, check_xlsx_archive, input_limits, limit_text

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".json", ".jsonl")


class ReadOptions(TypedDict, total=False):
    """The keyword options of read_rows (see read_table)."""

    header_row: int | None
    is_header: HeaderTest | None
    limits: InputSettings | None


def read_rows(
    path: Path, sheet: str | None = None, **options: Unpack[ReadOptions]
) -> tuple[list[str], list[RawRow]]:
    """Read a table into (headers, rows) whatever its format; cells are kept as given."""
    table = read_table(path, sheet, **options)
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
        source, grid = xlsx_grid(path, sheet)
        table = grid_table(source, grid, header_row, is_header, None)
    else:
        source = str(path)
        text = _decode(path, path.read_bytes())
        if suffix == ".csv":
            table = read_csv(source, text, header_row, is_header, limits)
        elif header_row is not None:
            raise InputDataError(
                [Problem(str(path), None, None, "a header row applies to CSV and XLSX, not JSON")]
            )
        else:
            headers, rows = read_json(source, text, lines=suffix == ".jsonl", limits=limits)
            table = Table(headers, rows, 1)
    return _checked(source, table, limits)


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
