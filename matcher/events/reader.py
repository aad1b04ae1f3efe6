"""Reading event files: YAML (each mapping's line remembered, for error messages), JSON, or an
XLSX workbook with one sheet per section (the ``event`` sheet holds the settings as key, value
rows); and a re-plan's locked-meetings file, a cut-down ``schedule.csv``. What is read goes to
matcher.events.resolve, which validates, resolves and checks it."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matcher.errors import InputDataError, Problem
from matcher.events.event import Event, LockedMeeting, Where
from matcher.events.resolve import PlaceOf, event_problems, validation_problems
from matcher.events.spec import SECTIONS, cell_text, parse_time
from matcher.normalise import fold

log = logging.getLogger(__name__)

EVENT_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")


def load_event(path: Path | str) -> Event:
    """Read an event file (.yaml / .yml / .json / .xlsx) and check it whole: InputDataError
    lists every problem of every stage that could run."""
    event, problems = read_event(path)
    if problems or event is None:
        raise InputDataError(problems)
    return event


def read_event(path: Path | str) -> tuple[Event | None, list[Problem]]:
    """An event file and every problem in it (resolve.event_problems); the event is None when
    the file cannot be read at all or a required setting is wrong. Unreadable files raise."""
    path = Path(path)
    if path.suffix.lower() not in EVENT_SUFFIXES:
        raise InputDataError(
            [Problem(str(path), None, None, f"use one of {', '.join(EVENT_SUFFIXES)}")]
        )
    if not path.is_file():
        raise InputDataError([Problem(str(path), None, None, "file not found")])
    raw, where = _read_document(path)
    event, problems = event_problems(raw, where, source=str(path))
    if event is not None and not problems:
        log.info(
            "%s: %d slots, %d tables, %d participants",
            path,
            len(event.slots),
            len(event.tables),
            len(event.participants),
        )
    return event, problems


# --- reading raw sections -------------------------------------------------------------------------
class _LineLoader:
    """YAML loading that records each mapping's line, so errors can name it."""

    @staticmethod
    def load(text: str) -> Any:
        import yaml

        class Loader(yaml.SafeLoader):
            pass

        def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
            mapping = loader.construct_mapping(node, deep=True)
            mapping["__line__"] = node.start_mark.line + 1
            return mapping

        Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
        # Times stay text so that YAML's own (UTC-assuming) timestamp parsing cannot shift them.
        Loader.yaml_implicit_resolvers = {
            key: [
                (tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"
            ]
            for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }
        return yaml.load(text, Loader=Loader)


def _read_document(path: Path) -> tuple[dict[str, Any], dict[str, list[Where]]]:
    """Sections as plain data plus where each item came from."""
    suffix = path.suffix.lower()
    label = str(path)
    if suffix == ".xlsx":
        return _read_workbook(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputDataError([Problem(label, None, None, f"not valid UTF-8: {exc}")]) from None
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputDataError(
                [Problem(label, exc.lineno, None, f"invalid JSON: {exc.msg}")]
            ) from None
    else:
        import yaml

        try:
            data = _LineLoader.load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            raise InputDataError([Problem(label, line, None, f"invalid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise InputDataError([Problem(label, None, None, "expected a mapping of sections")])
    where: dict[str, list[Where]] = {}
    for section in SECTIONS[1:]:
        items = data.get(section)
        if isinstance(items, list):
            where[section] = [
                (label, item.get("__line__", n) if isinstance(item, dict) else n)
                for n, item in enumerate(items, start=1)
            ]
    return _strip_lines(data), where


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _read_workbook(path: Path) -> tuple[dict[str, Any], dict[str, list[Where]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputDataError([Problem(str(path), None, None, f"unreadable XLSX: {exc}")]) from None
    data: dict[str, Any] = {}
    where: dict[str, list[Where]] = {}
    try:
        names = {fold(n).replace(" ", "_"): n for n in book.sheetnames}
        if "event" not in names:
            raise InputDataError(
                [
                    Problem(
                        str(path),
                        None,
                        None,
                        f"no sheet 'event'; expected sheets {', '.join(SECTIONS)} "
                        f"(found {', '.join(book.sheetnames)})",
                    )
                ]
            )
        if "event" in names:
            ws = book[names["event"]]
            # A key / value sheet: first column the setting, second its value; an optional
            # header row ("key", "value") is skipped.
            for values in ws.iter_rows(values_only=True):
                key, value = ([*values, None, None])[:2]
                if key is None or not str(key).strip():
                    continue
                name = fold(str(key)).replace(" ", "_")
                if name in {"key", "setting"}:
                    continue
                data[name] = value
        for section in SECTIONS[1:]:
            if section not in names:
                continue
            ws = book[names[section]]
            label = f"{path}[{ws.title}]"
            rows = ws.iter_rows(values_only=True)
            first = next(rows, None)
            if first is None:
                continue
            headers = [fold(str(h)).replace(" ", "_") if h is not None else "" for h in first]
            records: list[dict[str, Any]] = []
            places: list[Where] = []
            for row_no, values in enumerate(rows, start=2):
                cells = {
                    h: v
                    for h, v in zip(headers, values, strict=False)
                    if h and v is not None and str(v).strip() != ""
                }
                if cells:
                    records.append(cells)
                    places.append((label, row_no))
            data[section] = records
            where[section] = places
    finally:
        book.close()
    return data, where


def load_locked(path: Path | str, event: Event) -> list[LockedMeeting]:
    """Confirmed meetings from a previous ``schedule.csv`` / ``.xlsx`` (edited to keep only what
    is confirmed); each must fit the event like a locked meeting of the event file."""
    from matcher.ingest import read_rows

    path = Path(path)
    headers, rows = read_rows(path)
    needed = ("slot_start", "table", "buyer_id", "supplier_id")
    missing = [h for h in needed if h not in headers]
    if missing:
        raise InputDataError(
            [
                Problem(
                    str(path),
                    1,
                    m,
                    "required column missing (a locked-meetings file has the columns of "
                    "schedule.csv)",
                )
                for m in missing
            ]
        )
    tz = event.tz
    problems: list[Problem] = []
    out: list[LockedMeeting] = []
    for raw in rows:
        cells = raw.cells
        place: Where = (str(path), raw.row)
        try:
            out.append(
                LockedMeeting(
                    buyer=str(cells["buyer_id"] or ""),
                    supplier=str(cells["supplier_id"] or ""),
                    slot=parse_time(str(cell_text(cells["slot_start"])).strip(), tz, None),
                    table=str(cells["table"] or ""),
                    interpreter=str(cells.get("interpreter") or "") or None,
                    meeting_id=str(cells.get("meeting_id") or "") or None,
                    where=place,
                )
            )
        except ValidationError as exc:
            problems += validation_problems(exc, _at(place))
        except ValueError as exc:
            problems.append(Problem(str(path), raw.row, "slot_start", str(exc)))
    if problems:
        raise InputDataError(problems)
    return out


def _at(place: Where) -> PlaceOf:
    """Every field path of one item, placed at that item."""
    return lambda loc: (*place, loc)
