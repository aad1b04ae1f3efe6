"""Export: matches to CSV / XLSX / JSONL by extension; atomic writes; every cell through
``safe_cell`` (no formula runs, no character a writer refuses)."""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from matcher.errors import ConfigError
from matcher.schemas import Match, Requirement, Supplier

MATCH_COLUMNS = (
    "requirement_id",
    "supplier_id",
    "rank",
    "score",
    "supplier_name",
    "matched_capabilities",
    "certifications_met",
    "certifications_missing",
    "top_features",
    "explanation",
)
EXPORT_SUFFIXES = (".csv", ".xlsx", ".jsonl")
# What a spreadsheet may read as the start of a formula (OWASP CSV injection): the ASCII signs,
# their full-width forms (Japanese and Chinese Excel turn ＝ into = as it is typed or imported),
# and a leading tab, CR or LF, which some importers strip before looking at the next character.
_FORMULA_START = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
# Blanks a reader may skip before the sign: " =1+1" is still a formula to some importers.
_LEADING_BLANKS = " \u00a0\u3000"
# C0 controls but tab, LF and CR; DEL and the C1 block; the non-characters XML 1.0 forbids.
# openpyxl refuses the C0 ones (IllegalCharacterError) and Excel will not open a file holding any.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Text any writer can encode: control characters dropped, lone surrogates (a JSON reader
    can hand one over) replaced by U+FFFD, which UTF-8 can hold."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", value))


def safe_cell(value: Any) -> Any:
    """A value fit for a CSV or XLSX cell: text cleaned (``clean_text``) and escaped with a
    leading apostrophe when a spreadsheet would run it as a formula; other values unchanged."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    head = value.lstrip(_LEADING_BLANKS)
    if head[:1] in _FORMULA_START:
        return "'" + value
    return value


def _read_umask() -> int:
    mask = os.umask(0)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return mask


# Read once at import: umask is process-wide, and toggling it later could race other threads.
_UMASK = _read_umask()


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename over it only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        # mkstemp creates 0600; give the output the mode a plain open() would (0666 − umask).
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_text(path: Path, write: Callable[[IO[str]], None]) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        write(handle)


# A register's own columns (Supplier.extra) come out one column each, named "supplier: <header>":
# organisers sort and filter on them in Excel, which one combined cell would prevent, and the
# prefix keeps a register column called "rank" or "score" from overwriting the match's own.
EXTRA_PREFIX = "supplier: "


def extra_columns(suppliers: Mapping[str, Supplier]) -> list[str]:
    """The suppliers' extra headers, prefixed, in the register's first-seen order."""
    seen: dict[str, None] = {}
    for supplier in suppliers.values():
        seen.update(dict.fromkeys(supplier.extra))
    return [EXTRA_PREFIX + header for header in seen]


def match_rows(
    matches: Sequence[Match], suppliers: Mapping[str, Supplier] | None = None
) -> list[dict[str, Any]]:
    """One flat row per match; with ``suppliers``, each supplier's extra fields too."""
    rows = []
    for m in matches:
        row = m.model_dump(include=set(MATCH_COLUMNS))
        for key, value in row.items():
            if isinstance(value, list):
                row[key] = "; ".join(value)
        out = {c: row[c] for c in MATCH_COLUMNS}
        supplier = suppliers.get(m.supplier_id) if suppliers is not None else None
        if supplier is not None:
            out.update({EXTRA_PREFIX + h: v for h, v in supplier.extra.items()})
        rows.append(out)
    return rows


def write_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    path: Path,
    sheet: str = "matches",
    cover: Cover | None = None,
) -> None:
    """Write rows to CSV / XLSX / JSONL chosen by the file extension (an XLSX after its cover
    sheet, when one is given)."""
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ConfigError(f"cannot write {path.name}: use one of {', '.join(EXPORT_SUFFIXES)}")
    if suffix == ".csv":

        def write_csv(handle: IO[str]) -> None:
            writer = csv.writer(handle)
            writer.writerow([safe_cell(c) for c in columns])
            for row in rows:
                writer.writerow([safe_cell(row.get(c)) for c in columns])

        _write_text(path, write_csv)
    elif suffix == ".jsonl":
        # JSON is data, not a spreadsheet: values are written as they are (json escapes control
        # characters), but for lone surrogates, which UTF-8 cannot hold.
        def write_jsonl(handle: IO[str]) -> None:
            for row in rows:
                line = json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False)
                handle.write(_SURROGATE.sub("\ufffd", line))
                handle.write("\n")

        _write_text(path, write_jsonl)
    else:
        write_workbook([(sheet, columns, rows)], path, cover)


Sheet = tuple[str, Sequence[str], Sequence[Mapping[str, Any]]]  # (title, columns, rows)
# A cover sheet's lines: (label, value); a value may be a datetime, a number or text.
Cover = Sequence[tuple[str, Any]]
COVER_SHEET = "cover"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# Column widths in characters: wide enough for the longest line of a column, within bounds so
# that one long explanation does not push every other column off the screen.
_MIN_WIDTH, _MAX_WIDTH = 8, 60


def _xlsx_value(value: Any) -> Any:
    """A cell value openpyxl can store: formula-safe text; an aware datetime as its wall-clock
    time (Excel has no time zones; the cover sheet names the zone)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return safe_cell(value)


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len("2025-11-20 09:00")
    if isinstance(value, float):
        return len(f"{value:.6g}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _cell(ws: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=_xlsx_value(value))
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    return cell


def _append_sheet(book: Any, title: str, columns: Sequence[str], rows: Sequence[Any]) -> None:
    """One sheet: bold frozen header, an auto-filter over the table, widths fit to the content.
    Write-only sheets take widths and panes before the first row, the filter at any time."""
    from openpyxl.styles import Font

    ws = book.create_sheet(title)
    values = [[row.get(c) for c in columns] for row in rows]
    for i, column in enumerate(columns, start=1):
        longest = max([_width(column), *(_width(v[i - 1]) for v in values)])
        ws.column_dimensions[_column_letter(i)].width = min(
            max(longest + 2, _MIN_WIDTH), _MAX_WIDTH
        )
    ws.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = _cell(ws, column)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row_values in values:
        ws.append([_cell(ws, v) for v in row_values])
    if columns:
        ws.auto_filter.ref = f"A1:{_column_letter(len(columns))}{len(values) + 1}"


def _append_cover(book: Any, cover: Cover) -> None:
    """The cover sheet: what the file is, when it was made, and its counts, one line each."""
    from openpyxl.styles import Font

    ws = book.create_sheet(COVER_SHEET)
    ws.column_dimensions["A"].width = min(
        max([_width(label) for label, _ in cover] + [_MIN_WIDTH]) + 2, _MAX_WIDTH
    )
    ws.column_dimensions["B"].width = min(
        max([_width(value) for _, value in cover] + [_MIN_WIDTH]) + 2, _MAX_WIDTH
    )
    for n, (label, value) in enumerate(cover):
        head = _cell(ws, label)
        head.font = Font(bold=True, size=14 if n == 0 else 11)
        ws.append([head, _cell(ws, value)])


def write_workbook(
    sheets: Sequence[Sheet], path: Path, cover: Cover | None = None, cover_first: bool = True
) -> None:
    """Write (title, columns, rows) sheets to one XLSX atomically, with a cover sheet when one
    is given (first, or last for a file read back by its first sheet): every cell through
    ``safe_cell``, datetimes as Excel date-times, each sheet with a frozen header, an
    auto-filter and column widths fit to its content."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    if cover and cover_first:
        _append_cover(book, cover)
    for title, columns, rows in sheets:
        _append_sheet(book, title, columns, rows)
    if cover and not cover_first:
        _append_cover(book, cover)
    with atomic_path(path) as tmp:
        book.save(tmp)


def made_at() -> datetime:
    """Now, as the local wall-clock time a cover sheet shows (to the minute)."""
    return datetime.now().replace(second=0, microsecond=0)


# The matching lists a reader gets (matches.xlsx): one sheet per buyer side and supplier side,
# the firms by name, the requirement by its title, and why each supplier was proposed.
BUYER_LIST_COLUMNS = (
    "buyer",
    "requirement_id",
    "requirement",
    "rank",
    "supplier_id",
    "supplier_name",
    "province",
    "score",
    "why",
    "certifications_missing",
    "contact_name",
    "contact_email",
    "contact_phone",
)
SUPPLIER_LIST_COLUMNS = (
    "supplier_id",
    "supplier_name",
    "province",
    "buyer",
    "requirement_id",
    "requirement",
    "rank",
    "score",
    "why",
    "certifications_missing",
)
CONTACT_COLUMNS = ("contact_name", "contact_email", "contact_phone")


def requirement_title(requirement: Requirement) -> str:
    """A requirement as a reader names it: its title, else the start of its description."""
    if requirement.title:
        return requirement.title
    text = " ".join(requirement.description.split())
    return text if len(text) <= 80 else text[:79].rstrip() + "…"


def reader_rows(
    matches: Sequence[Match],
    suppliers: Mapping[str, Supplier],
    requirements: Mapping[str, Requirement],
    contacts: bool = True,
) -> list[dict[str, Any]]:
    """One row per match with the names a reader needs; contact persons only when ``contacts``
    (the register's own holder, an organiser, may see them: matcher.services.access)."""
    rows = []
    for m in matches:
        supplier = suppliers.get(m.supplier_id)
        requirement = requirements.get(m.requirement_id)
        row: dict[str, Any] = {
            "buyer": requirement.buyer if requirement else "",
            "requirement_id": m.requirement_id,
            "requirement": requirement_title(requirement) if requirement else "",
            "rank": m.rank,
            "supplier_id": m.supplier_id,
            "supplier_name": m.supplier_name or (supplier.name if supplier else ""),
            "province": (supplier.province if supplier else None) or "",
            "score": round(m.score, 4),
            "why": m.explanation,
            "certifications_missing": "; ".join(m.certifications_missing),
        }
        for column in CONTACT_COLUMNS:
            row[column] = (getattr(supplier, column) or "") if contacts and supplier else ""
        rows.append(row)
    return rows


def matches_cover(
    matches: Sequence[Match],
    suppliers: Mapping[str, Supplier],
    requirements: Mapping[str, Requirement],
    title: str = "Matching lists",
) -> list[tuple[str, Any]]:
    return [
        (title, ""),
        ("Made", made_at()),
        ("Suppliers in the register", len(suppliers)),
        ("Requirements", len(requirements)),
        ("Buyers", len({r.buyer for r in requirements.values()})),
        ("Proposals", len(matches)),
        ("Requirements with a proposal", len({m.requirement_id for m in matches})),
        ("Suppliers proposed", len({m.supplier_id for m in matches})),
    ]


def write_matches(
    matches: Sequence[Match],
    path: Path,
    suppliers: Mapping[str, Supplier] | None = None,
    requirements: Mapping[str, Requirement] | None = None,
    contacts: bool = True,
) -> None:
    """Write matches; with ``suppliers`` (id → profile), their extra fields as columns too. An
    XLSX also holds a cover sheet and the matching lists per buyer and per supplier (with the
    suppliers' contact persons unless ``contacts`` is False); the last sheet, ``matches``, has
    the columns of the CSV."""
    columns = [*MATCH_COLUMNS, *(extra_columns(suppliers) if suppliers and contacts else [])]
    rows = match_rows(matches, suppliers if contacts else None)
    if path.suffix.lower() != ".xlsx":
        write_table(rows, columns, path)
        return
    suppliers, requirements = suppliers or {}, requirements or {}
    readable = reader_rows(matches, suppliers, requirements, contacts)
    by_buyer = sorted(readable, key=lambda r: (r["buyer"], r["requirement_id"], r["rank"]))
    by_supplier = sorted(readable, key=lambda r: (r["supplier_id"], -r["score"], r["rank"]))
    buyer_columns = BUYER_LIST_COLUMNS if contacts else BUYER_LIST_COLUMNS[: -len(CONTACT_COLUMNS)]
    sheets: list[Sheet] = [
        ("buyers", buyer_columns, by_buyer),
        ("suppliers", SUPPLIER_LIST_COLUMNS, by_supplier),
        ("matches", columns, rows),
    ]
    write_workbook(sheets, path, matches_cover(matches, suppliers, requirements))
