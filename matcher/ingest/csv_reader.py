"""CSV registers: the delimiter named by Excel's "sep=" line or sniffed (',' ';' tab '|'), strict
quoting so that an open quote cannot swallow the file, and rows counted as a spreadsheet shows
them."""

from __future__ import annotations

import csv
import io
import re

from matcher.config import InputSettings
from matcher.errors import InputDataError, Problem
from matcher.ingest.table import (
    HEADER_SEARCH_ROWS,
    Grid,
    HeaderTest,
    Table,
    grid_table,
    header_cells,
)
from matcher.limits import limit_text

CSV_DELIMITERS = (",", ";", "\t", "|")
_EXCEL_SEP = re.compile(r'"?sep=(.)"?[ \t]*$')


def read_csv(
    source: str,
    text: str,
    header_row: int | None,
    is_header: HeaderTest | None,
    limits: InputSettings,
) -> Table:
    """The table of a CSV file's text; ``source`` names the file in errors."""
    first, newline, rest = text.partition("\n")
    declared = _EXCEL_SEP.match(first.rstrip("\r"))
    if declared is not None:
        # Excel's "sep=;" line names the delimiter; it stays a (blank) line so that row numbers
        # are still the file's line numbers.
        delimiter = declared.group(1)
        text = newline + rest
    else:
        delimiter = _sniff_delimiter(text, header_row, is_header)
    grid, lines = _csv_grid(source, text, delimiter, limits)
    table = grid_table(source, grid, header_row, is_header, delimiter)
    _refuse_swallowed_rows(source, table, delimiter, lines)
    return table


def delimiter_name(delimiter: str) -> str:
    """The delimiter as an error message names it."""
    return "tab" if delimiter == "\t" else repr(delimiter)


def _csv_grid(
    source: str, text: str, delimiter: str, limits: InputSettings
) -> tuple[Grid, dict[int, tuple[int, int]]]:
    """The rows, and each row's first and last line in the file."""
    # The module's own limit (process-wide) would refuse a long cell without naming its column:
    # no cell is longer than the file, and ours is checked on every cell with row and column.
    if csv.field_size_limit() < limits.max_file_bytes:
        csv.field_size_limit(limits.max_file_bytes)
    # strict: a quote left open no longer swallows the rest of the file into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    grid: Grid = []
    lines: dict[int, tuple[int, int]] = {}
    cap = limits.max_rows + HEADER_SEARCH_ROWS
    line = 0  # the file's line where the last record ended
    try:
        for values in reader:
            # The spreadsheet row, as Excel shows the file: a cell's line breaks start no row.
            grid.append((len(grid) + 1, values))
            lines[len(grid)] = (line + 1, reader.line_num)
            line = reader.line_num
            if len(grid) > cap:
                message = f"more than {cap:,} rows; " + limit_text("max_rows", limits.max_rows)
                raise InputDataError([Problem(source, len(grid), None, message)])
    except csv.Error as exc:
        raise InputDataError(
            [Problem(source, len(grid) + 1, None, _csv_error(str(exc), line + 1, reader.line_num))]
        ) from None
    return grid, lines


def _shape(value: str) -> str:
    """A value's outline: runs of letters 'a', of digits '9', other characters as they are
    ("S00012" and "S7" → "a9"; "Sản phẩm:" → "a a:")."""
    out: list[str] = []
    for c in value.strip():
        mark = "a" if c.isalpha() else "9" if c.isdigit() else c
        if not out or out[-1] != mark or mark not in "a9":
            out.append(mark)
    return "".join(out)


def _refuse_swallowed_rows(
    source: str, table: Table, delimiter: str, lines: dict[int, tuple[int, int]]
) -> None:
    """A quote opened in a cell and closed at the end of a later line makes the lines between
    one cell, and their rows are lost without an error (strict quoting only catches text after
    the closing quote). A line break inside a quoted cell is common and fine (Alt+Enter in
    Excel: addresses, lists); what gives the accident away is a line inside the cell that reads
    as a row of its own: as many cells as the header, the first shaped like this row's first
    cell (an id: "S2" below "S1"). Such a file is refused, naming the row, the column and the
    line; a prose line rarely has both (no commas enough, or words where the id would be)."""
    width = len(table.headers)
    if width < 2:
        return
    first = table.headers[0]
    problems: list[Problem] = []
    for raw in table.rows:
        own = _shape(str(raw.cells.get(first) or "").split("\n")[0])
        start = lines.get(raw.row, (0, 0))[0]
        for column, value in raw.cells.items():
            if not isinstance(value, str) or "\n" not in value:
                continue
            for k, part in enumerate(value.split("\n")[1:], start=1):
                cells = next(csv.reader([part.rstrip("\r")], delimiter=delimiter), [])
                if len(cells) == width and cells[0].strip() and _shape(cells[0]) == own:
                    problems.append(_swallowed(source, raw.row, column, start + k, part))
                    break
    if problems:
        raise InputDataError(problems)


def _swallowed(source: str, row: int, column: str, line: int, text: str) -> Problem:
    shown = text.rstrip("\r")[:60]
    return Problem(
        source,
        row,
        column,
        f"a quoted cell runs over line {line} ({shown!r}), which reads as a row of its own: "
        "the quote opened in this cell closes only at the end of a later line, merging the "
        'rows between; close the quote where the cell ends (double a quote inside a cell: "")',
    )


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
            if any(is_header(header_cells(r)) for r in wanted):
                return delimiter
    lines = [ln for ln in head.split("\n") if ln.strip()]
    if header_row is not None:
        lines = head.split("\n")[header_row - 1 : header_row]
    for line in lines:
        if any(d in line for d in CSV_DELIMITERS):
            return max(CSV_DELIMITERS, key=line.count)
    return ","
