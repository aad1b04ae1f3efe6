"""What one input file may hold: size, rows, cell length, JSON depth, and for XLSX what its zip
directory declares (checked before anything is unpacked), plus the text hygiene every cell
passes (NUL, stray byte-order marks, lone surrogates refused; other control characters removed).

Each refusal names the limit and the setting that raises it (Settings.input, MATCHER_INPUT__*)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.config import InputSettings, Settings
from matcher.errors import InputDataError, Problem

MEMBER_RATIO_FROM = 2**20  # small members (styles, empty sheets) may compress very well
_XML_HEAD = 4096  # a DOCTYPE can only come before the root element, at the top of a part
_CHUNK = 2**20
# Sheet rows and shared strings, with or without a namespace prefix (<row>, <x:row r="2">).
_ROW_TAG = re.compile(rb"<(?:[A-Za-z]\w{0,8}:)?row[\s/>]")
_SI_TAG = re.compile(rb"<(?:[A-Za-z]\w{0,8}:)?si[\s/>]")
_TAG_MAX = 16
# Control characters other than tab, line feed and carriage return: pasted from PDFs and Word
# (a vertical tab is Word's line break), invisible, and refused by XLSX export.
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def input_limits() -> InputSettings:
    """The limits in force: Settings().input, read from MATCHER_INPUT__* each time."""
    return Settings().input


def limit_text(name: str, value: int) -> str:
    """'the limit is 100,000 (input.max_rows; env MATCHER_INPUT__MAX_ROWS)'."""
    return f"the limit is {value:,} (setting input.{name}; env MATCHER_INPUT__{name.upper()})"


def _refuse(source: str, message: str, row: int | None = None) -> InputDataError:
    return InputDataError([Problem(source, row, None, message)])


def check_file_size(path: Path, limits: InputSettings) -> None:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise _refuse(
            str(path),
            f"file of {size:,} bytes; {limit_text('max_file_bytes', limits.max_file_bytes)}",
        )


def check_xlsx_archive(path: Path, limits: InputSettings) -> None:
    """Refuse an XLSX from its zip directory and a streamed count of its rows, before openpyxl
    unpacks it: a zip bomb is refused in milliseconds, without unpacking it.

    The directory's sizes can be trusted: zipfile stops a member at its declared size and then
    fails its CRC, so a member cannot unpack to more than the directory says."""
    source = str(path)
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            source,
            "an Excel 97-2003 workbook (.xls) or a password-protected file, not XLSX: "
            "open it in Excel and save it as 'Excel Workbook (.xlsx)' without a password",
        )
    if not magic.startswith(b"PK"):
        raise _refuse(source, f"not an XLSX file (an XLSX is a zip archive; it starts {magic!r})")
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _refuse(source, f"unreadable XLSX: {exc}") from None
    with book:
        infos = book.infolist()
        if len(infos) > limits.max_xlsx_members:
            raise _refuse(
                source,
                f"XLSX of {len(infos):,} zip members; "
                + limit_text("max_xlsx_members", limits.max_xlsx_members),
            )
        total = sum(info.file_size for info in infos)
        if total > limits.max_xlsx_unpacked_bytes:
            raise _refuse(
                source,
                f"XLSX unpacks to {total:,} bytes; "
                + limit_text("max_xlsx_unpacked_bytes", limits.max_xlsx_unpacked_bytes),
            )
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > MEMBER_RATIO_FROM and ratio > limits.max_xlsx_ratio:
                raise _refuse(
                    source,
                    f"XLSX member {info.filename} is compressed {ratio:,.0f} times (a zip bomb?); "
                    + limit_text("max_xlsx_ratio", limits.max_xlsx_ratio),
                )
        try:
            _check_parts(source, book, infos, limits)
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError) as exc:
            raise _refuse(source, f"unreadable XLSX: {exc}") from None


def _check_parts(
    source: str, book: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: InputSettings
) -> None:
    for info in infos:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        with book.open(info) as part:
            head = part.read(_XML_HEAD)
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            # No part of an XLSX has a DTD; one that does is an entity-expansion or external
            # entity attack (openpyxl parses with defusedxml as well).
            raise _refuse(source, f"XLSX member {info.filename} declares a DTD; refused")
        name = info.filename.lower()
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            rows = _count(book, info, _ROW_TAG)
            allowed = limits.max_rows + 1_000  # header, title and blank rows besides records
            if rows > allowed:
                raise _refuse(
                    source,
                    f"sheet {info.filename} has {rows:,} rows; "
                    + limit_text("max_rows", limits.max_rows),
                )
        elif name == "xl/sharedstrings.xml":
            strings = _count(book, info, _SI_TAG)
            if strings > limits.max_xlsx_shared_strings:
                raise _refuse(
                    source,
                    f"XLSX holds {strings:,} shared strings; "
                    + limit_text("max_xlsx_shared_strings", limits.max_xlsx_shared_strings),
                )


def _count(book: zipfile.ZipFile, info: zipfile.ZipInfo, tag: re.Pattern[bytes]) -> int:
    """Occurrences of a tag in a member, streamed a MiB at a time (sizes are checked first)."""
    count = 0
    carry = b""
    with book.open(info) as part:
        while chunk := part.read(_CHUNK):
            buf = carry + chunk
            cut = buf.rfind(b"<")
            if cut == -1 or len(buf) - cut > _TAG_MAX:
                count += len(tag.findall(buf))
                carry = b""
            else:  # a tag may straddle the chunks: count it with the next one
                count += len(tag.findall(buf, 0, cut))
                carry = buf[cut:]
    return count + len(tag.findall(carry))


def json_depth(value: Any, limit: int) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), counted no further than limit + 1."""
    if limit < 0 or not isinstance(value, (dict, list)):
        return 0
    children = value.values() if isinstance(value, dict) else value
    return 1 + max((json_depth(v, limit - 1) for v in children), default=0)


@dataclass
class TextCheck:
    """Problems and removed control characters found in the cells of one file."""

    source: str
    max_chars: int
    problems: list[Problem] = field(default_factory=list)
    cleaned: list[tuple[int | None, str | None]] = field(default_factory=list)

    def cell(self, value: Any, row: int | None, column: str | None) -> Any:
        """The cell with control characters removed; strings inside lists and objects too."""
        if isinstance(value, dict):
            return {k: self.cell(v, row, column or str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.cell(v, row, column) for v in value]
        if not isinstance(value, str):
            return value
        problem = self._problem(value)
        if problem is not None:
            self.problems.append(Problem(self.source, row, column, problem))
            return value
        if _CONTROL.search(value):
            self.cleaned.append((row, column))
            return _CONTROL.sub("", value)
        return value

    def _problem(self, value: str) -> str | None:
        if len(value) > self.max_chars:
            return f"cell of {len(value):,} characters; " + limit_text(
                "max_cell_chars", self.max_chars
            )
        if "\x00" in value:
            # Removing NULs would hide the real fault: UTF-16 text read as UTF-8 has one after
            # every letter, and a binary file many.
            return (
                "holds a NUL character (U+0000): the file is binary or UTF-16; "
                "save it as UTF-8 (Excel: 'CSV UTF-8')"
            )
        if "\ufeff" in value:
            return (
                "holds a byte-order mark (U+FEFF), which only the very start of a file may "
                "have: was another file pasted in here? Delete the character"
            )
        if (surrogate := _SURROGATE.search(value)) is not None:
            return f"holds a lone surrogate \\u{ord(surrogate.group(0)):04x}, not a character"
        return None

    def warnings(self) -> Iterator[str]:
        if self.cleaned:
            row, column = self.cleaned[0]
            where = ", ".join(
                w
                for w in (f"row {row}" if row else "", f"column '{column}'" if column else "")
                if w
            )
            more = f" and {len(self.cleaned) - 1} more cell(s)" if len(self.cleaned) > 1 else ""
            yield f"control characters removed from {where}{more}"
