"""A sheet's grid as a table: find the header row (given, or the first of the top rows a test
accepts, title rows above it skipped) and keep every row below it, refusing a value that no header
names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from matcher.errors import InputDataError, Problem
from matcher.normalise import nfc

HEADER_SEARCH_ROWS = 20  # the header is looked for in this many rows from the top

HeaderTest = Callable[[Sequence[str]], bool]
Grid = list[tuple[int, list[Any]]]  # (spreadsheet row, cells), every row of the sheet


@dataclass(frozen=True)
class RawRow:
    # Spreadsheet row: for CSV the record's number counting blank lines, which is the file's
    # line until a quoted cell holds line breaks; for JSON the record number (JSONL: the line).
    row: int
    cells: dict[str, Any]  # original header → value


@dataclass(frozen=True)
class Table:
    """A file read as rows under its header."""

    headers: list[str]
    rows: list[RawRow]
    header_row: int  # spreadsheet row of the header (1 for JSON)
    delimiter: str | None = None  # CSV only
    warnings: tuple[str, ...] = ()  # one line each (control characters removed)


def _blank(values: Sequence[Any]) -> bool:
    return all(v is None or str(v).strip() == "" for v in values)


def header_cells(values: Sequence[Any]) -> list[str]:
    """A row's cells as header names (NFC text, '' for an empty cell)."""
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
            if is_header(header_cells(grid[i][1])):
                return i
    return filled[0]


def grid_table(
    source: str,
    grid: Grid,
    header_row: int | None,
    is_header: HeaderTest | None,
    delimiter: str | None,
) -> Table:
    """The rows of ``grid`` under its header row; blank rows are not records.

    delimiter: the CSV's, which words the error for a row wider than the header."""
    at = _pick_header(source, grid, header_row, is_header)
    header_no, header_values = grid[at]
    headers = header_cells(header_values)
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
