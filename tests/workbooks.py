"""What every workbook the product writes must look like to a reader, checked with openpyxl:
each data sheet with its header frozen, an auto-filter over the whole table and a width on every
column; the cover sheet (when there is one) with both columns sized; date-time columns holding
real datetimes with a date-time number format, never ISO text."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from matcher.export import COVER_SHEET, DATETIME_FORMAT


def check_workbook(path: Path, time_columns: dict[str, tuple[str, ...]] | None = None) -> Any:
    """Assert the reader's layout on every sheet; ``time_columns``: sheet → columns that must
    hold datetimes (where a cell is filled). Returns the workbook."""
    book = load_workbook(path)
    for ws in book.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        assert rows, f"{path.name}!{ws.title} is empty"
        width = max(len(r) for r in rows)
        for i in range(1, width + 1):
            letter = get_column_letter(i)
            assert ws.column_dimensions[letter].width >= 8, f"{path.name}!{ws.title}:{letter}"
        if ws.title == COVER_SHEET:
            assert width == 2 and isinstance(rows[0][0], str)
            continue
        assert ws.freeze_panes == "A2", f"{path.name}!{ws.title} header not frozen"
        assert ws.auto_filter.ref == f"A1:{get_column_letter(width)}{len(rows)}", ws.title
        assert all(cell.font.b for cell in ws[1]), f"{path.name}!{ws.title} header not bold"
        header = list(rows[0])
        for column in (time_columns or {}).get(ws.title, ()):
            j = header.index(column)
            cells = [r[j] for r in ws.iter_rows(min_row=2)]
            filled = [c for c in cells if c.value is not None]
            assert filled, f"{path.name}!{ws.title}:{column} has no value"
            for cell in filled:
                assert isinstance(cell.value, datetime), f"{cell.coordinate}: {cell.value!r}"
                assert cell.number_format == DATETIME_FORMAT
    return book


def cover_values(book: Any) -> dict[str, Any]:
    """The cover sheet's lines as label → value."""
    return {str(r[0]): r[1] for r in book[COVER_SHEET].iter_rows(values_only=True)}
