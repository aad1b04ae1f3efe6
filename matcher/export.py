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
from pathlib import Path
from typing import IO, Any

from matcher.errors import ConfigError
from matcher.schemas import Match, Supplier

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
    rows: Sequence[dict[str, Any]], columns: Sequence[str], path: Path, sheet: str = "matches"
) -> None:
    """Write rows to CSV / XLSX / JSONL chosen by the file extension."""
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
        write_workbook([(sheet, columns, rows)], path)


def write_workbook(
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Mapping[str, Any]]]], path: Path
) -> None:
    """Write (title, columns, rows) sheets to one XLSX atomically, cells through ``safe_cell``."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, columns, rows in sheets:
        ws = book.create_sheet(title)
        ws.append([safe_cell(c) for c in columns])
        for row in rows:
            ws.append([safe_cell(row.get(c)) for c in columns])
    with atomic_path(path) as tmp:
        book.save(tmp)


def write_matches(
    matches: Sequence[Match], path: Path, suppliers: Mapping[str, Supplier] | None = None
) -> None:
    """Write matches; with ``suppliers`` (id → profile), their extra fields as columns too."""
    columns = [*MATCH_COLUMNS, *(extra_columns(suppliers) if suppliers else [])]
    write_table(match_rows(matches, suppliers), columns, path)
