"""XLSX registers: one worksheet read whole (its <dimension> tag is not trusted), merged blocks
filled down so that every firm under a merged cell gets its value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matcher.errors import InputDataError, Problem
from matcher.ingest.table import Grid


def xlsx_grid(path: Path, sheet: str | None) -> tuple[str, Grid]:
    """(the name errors give the file, every row of the sheet): ``sheet``, else the first."""
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
