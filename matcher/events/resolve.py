"""From a document to a checked Event: an event file's parsed content (or the document the
API stores) is validated as an EventDocument (matcher.events.spec), resolved (times on the
event's date and in its time zone, slot series one by one, tables by name) and checked whole
(matcher.events.check). Every problem names where its item was written (the YAML line, the
spreadsheet row, or the item number) and the field; pydantic's errors are translated so."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from matcher.errors import InputDataError, Problem
from matcher.events.check import check_event
from matcher.events.event import Event, LockedMeeting, Slot, Where, Window
from matcher.events.spec import (
    SECTIONS,
    EventDocument,
    WindowSpec,
    parse_time,
    table_names,
)


def parse_event(
    raw: Mapping[str, Any], where: Mapping[str, list[Where]] | None = None, source: str = "event"
) -> Event:
    """Validate, resolve and check an Event from plain data (a parsed YAML / JSON document, or
    the document the API stores); ``where`` says where each section's items were written.
    InputDataError lists every problem of every stage that could run (see event_problems)."""
    event, problems = event_problems(raw, where, source)
    if problems or event is None:
        raise InputDataError(problems)
    return event


def event_problems(
    raw: Mapping[str, Any], where: Mapping[str, list[Where]] | None = None, source: str = "event"
) -> tuple[Event | None, list[Problem]]:
    """The event and every problem of the document, all stages at once: fields (validation),
    times (resolution) and consistency (check_event). An item or setting that fails validation
    is left out, so that the later stages still check the rest; what they would only report
    because of it (a reference to a left-out participant, a locked meeting in a left-out slot)
    is not reported twice. The event is None when what is left cannot be validated (a required
    setting is wrong), and is incomplete whenever there are problems: never plan it then."""
    document = _as_document(raw)
    places = _Places(source, _numbered(document, where or {}, source))
    try:
        return _resolved(EventDocument.model_validate(document), places, [], _Dropped())
    except ValidationError as exc:
        problems = validation_problems(exc, places.of)
        dropped = _Dropped.of(exc, document)
    try:
        spec = EventDocument.model_validate(dropped.apply(document))
    except ValidationError:
        return None, problems  # a required setting is wrong: nothing more can be checked
    return _resolved(spec, places.without(dropped), problems, dropped)


def _resolved(
    spec: EventDocument, places: _Places, problems: list[Problem], dropped: _Dropped
) -> tuple[Event | None, list[Problem]]:
    event, found = _resolve(spec, places)
    # A slot whose start could not be read is left out too.
    dropped.slots |= len(event.slots) < sum(slot.count for slot in spec.slots)
    found += check_event(event)
    return event, problems + [p for p in found if not dropped.explains(p)]


def _numbered(
    document: Mapping[str, Any], where: Mapping[str, list[Where]], source: str
) -> dict[str, list[Where]]:
    """Where each item of each section was written; by item number where nothing says."""
    out = {k: list(v) for k, v in where.items()}
    for section in SECTIONS[1:]:
        items = document.get(section)
        if isinstance(items, list) and section not in out:
            out[section] = [(f"{source}[{section}]", n) for n in range(1, len(items) + 1)]
    return out


@dataclass
class _Dropped:
    """What failed validation and is left out for the later stages: items by section and
    index, settings by name; and the ids and slots that the later stages would miss."""

    items: dict[str, set[int]] = field(default_factory=dict)
    settings: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    slots: bool = False

    @classmethod
    def of(cls, exc: ValidationError, document: Mapping[str, Any]) -> _Dropped:
        out = cls()
        for err in exc.errors():
            loc = err["loc"]
            if len(loc) >= 2 and loc[0] in SECTIONS[1:] and isinstance(loc[1], int):
                out.items.setdefault(str(loc[0]), set()).add(loc[1])
                item = document[str(loc[0])][loc[1]]
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    out.ids.add(item["id"])
                out.slots |= loc[0] == "slots"
            elif loc:
                out.settings.add(str(loc[0]))
        return out

    def apply(self, document: Mapping[str, Any]) -> dict[str, Any]:
        doc = {k: v for k, v in document.items() if k not in self.settings}
        for section, gone in self.items.items():
            doc[section] = [x for k, x in enumerate(doc[section]) if k not in gone]
        return doc

    def explains(self, problem: Problem) -> bool:
        """Whether a later stage's problem only follows from what was left out."""
        message = problem.message
        if self.slots and message.startswith("no slot starts at"):
            return True
        return any(
            f"participant {i!r}" in message or f"interpreter {i!r}" in message for i in self.ids
        )


def with_locked(event: Event, locked: Sequence[LockedMeeting]) -> Event:
    """The event with more locked meetings (a locked file for a re-plan), checked again."""
    # A previous schedule repeats the event file's own locked meetings: one copy of each, with
    # the schedule's meeting id. The same pair elsewhere is still reported as a conflict.
    same = {(lk.buyer, lk.supplier, lk.slot, lk.table): lk for lk in locked}
    own = [
        lk.model_copy(update={"meeting_id": lk.meeting_id or other.meeting_id})
        if (other := same.get((lk.buyer, lk.supplier, lk.slot, lk.table))) is not None
        else lk
        for lk in event.locked
    ]
    taken = {(lk.buyer, lk.supplier, lk.slot, lk.table) for lk in event.locked}
    extra = [lk for lk in locked if (lk.buyer, lk.supplier, lk.slot, lk.table) not in taken]
    merged = event.model_copy(update={"locked": [*own, *extra]})
    problems = check_event(merged)
    if problems:
        raise InputDataError(problems)
    return merged


# --- a file's shorthands in the spec's shape ------------------------------------------------------
_CAPS_KEYS = {
    "buyer_min": ("buyer", "min"),
    "buyer_max": ("buyer", "max"),
    "supplier_min": ("supplier", "min"),
    "supplier_max": ("supplier", "max"),
}


def _as_document(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The document with a file's shorthands written out: flat caps (``buyer_max: 12``) join
    ``caps``, a slot's ``break_minutes`` is its ``gap``, an empty section or setting is absent."""
    doc = {str(k): v for k, v in raw.items() if k not in _CAPS_KEYS and v is not None}
    if "caps" in doc or any(k in raw for k in _CAPS_KEYS):
        doc["caps"] = _caps(raw)
    slots = doc.get("slots")
    if isinstance(slots, list):
        doc["slots"] = [_slot(item) if isinstance(item, dict) else item for item in slots]
    return doc


def _caps(raw: Mapping[str, Any]) -> Any:
    nested = raw.get("caps") or {}
    if not isinstance(nested, dict):
        return nested  # the spec says what is wrong with it
    caps = {
        role: dict(part) if isinstance(part, dict) else part
        for role, part in nested.items()
        if part is not None
    }
    for key, (role, bound) in _CAPS_KEYS.items():
        if key in raw:
            part = caps.setdefault(role, {})
            if isinstance(part, dict):
                part[bound] = raw[key]
    return {
        role: {k: None if v == "" else v for k, v in part.items()}
        if isinstance(part, dict)
        else part
        for role, part in caps.items()
    }


def _slot(item: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in item.items() if k != "break_minutes"}
    if "break_minutes" in item:
        out.setdefault("gap", item["break_minutes"])
    return out


# --- validation errors as problems ----------------------------------------------------------------
# A field path → the file and row of its item, and the path inside the item.
PlaceOf = Callable[[tuple[int | str, ...]], tuple[str, int | None, tuple[int | str, ...]]]
_UNKNOWN_SETTING = (
    "unknown setting; known: name, timezone, location, date, tables, caps (buyer_min, "
    "buyer_max, supplier_min, supplier_max), floor, min_score, reserved_share, priorities, "
    "time_limit_s"
)
# Where pydantic's words would not tell an organiser what to write.
_MESSAGES: dict[tuple[tuple[int | str, ...], str], str] = {
    (("slots",), "missing"): "no slots: add at least one (start, minutes)",
    (("slots",), "too_short"): "no slots: add at least one (start, minutes)",
    (("tables",), "missing"): "give the number of tables or their names",
}


class _Places:
    """Where each item of a document was written: its file (or sheet) and row."""

    def __init__(self, source: str, where: Mapping[str, list[Where]]) -> None:
        self.source = source
        self.where = where

    def without(self, dropped: _Dropped) -> _Places:
        """The places of the items that are left once ``dropped`` is left out."""
        kept = {
            section: [w for k, w in enumerate(places) if k not in dropped.items.get(section, ())]
            for section, places in self.where.items()
        }
        return _Places(self.source, kept)

    def item(self, section: str, index: int) -> Where:
        places = self.where.get(section) or []
        return places[index] if index < len(places) else (f"{self.source}[{section}]", index + 1)

    def of(self, loc: tuple[int | str, ...]) -> tuple[str, int | None, tuple[int | str, ...]]:
        """A field path's item place, and the path inside the item."""
        if len(loc) >= 2 and loc[0] in SECTIONS and isinstance(loc[1], int):
            file, row = self.item(str(loc[0]), loc[1])
            return file, row, loc[2:]
        return self.source, None, loc


def validation_problems(exc: ValidationError, place_of: PlaceOf) -> list[Problem]:
    """Each pydantic error as a Problem: the file and row of its item, the field path, what is
    wrong and the value found."""
    problems = []
    for err in exc.errors():
        file, row, path = place_of(tuple(err["loc"]))
        column = ".".join(str(p) for p in path) or None
        problems.append(Problem(file, row, column, _message(err, tuple(err["loc"]), path)))
    return problems


def _message(err: ErrorDetails, loc: tuple[int | str, ...], path: tuple[int | str, ...]) -> str:
    kind = err["type"]
    if (loc, kind) in _MESSAGES:
        return _MESSAGES[(loc, kind)]
    if kind == "extra_forbidden" and len(loc) == 1:
        return _UNKNOWN_SETTING
    if kind in ("model_type", "dict_type") and not path:
        return "expected a mapping"
    if kind == "list_type" and len(loc) == 1 and loc[0] in SECTIONS:
        return "expected a list"
    if kind == "value_error":  # our own validators' words already show the value
        return str(err.get("ctx", {}).get("error", err["msg"]))
    message = "must not be empty" if kind == "string_too_short" else err["msg"]
    return f"{message} (got {err.get('input')!r})"


# --- resolving a spec into an Event ---------------------------------------------------------------
def _resolve(spec: EventDocument, places: _Places) -> tuple[Event, list[Problem]]:
    """Times on the event's date in its time zone, slot series one by one, tables by name; and
    the times that could not be read (their items left out)."""
    problems: list[Problem] = []
    tz = ZoneInfo(spec.timezone)
    day = parse_time(spec.date, tz, None).date() if spec.date else None

    def moment(section: str, k: int, column: str, text: str) -> datetime | None:
        try:
            return parse_time(text, tz, day)
        except ValueError as exc:
            problems.append(Problem(*places.item(section, k), column, str(exc)))
            return None

    def windows(section: str, k: int, written: Sequence[WindowSpec]) -> list[Window]:
        try:
            return _windows(written, tz, day)
        except ValueError as exc:
            problems.append(Problem(*places.item(section, k), "available", str(exc)))
            return []

    def item(section: str, k: int, written: BaseModel, **resolved: Any) -> dict[str, Any]:
        """An item as the Event holds it: as written, but for what was resolved, and where."""
        as_written = written.model_dump(by_alias=True, exclude=set(resolved))
        return {**as_written, **resolved, "where": places.item(section, k)}

    slots: list[Slot] = []
    for k, slot in enumerate(spec.slots):
        start = moment("slots", k, "start", slot.start)
        if start is not None:
            step = timedelta(minutes=slot.minutes + slot.gap)
            place = places.item("slots", k)
            slots += [
                Slot(start=start + n * step, minutes=slot.minutes, where=place)
                for n in range(slot.count)
            ]
    if day is None and slots:
        day = min(s.start for s in slots).astimezone(tz).date()
    document = {
        **spec.model_dump(include=_SETTINGS),
        "slots": sorted(slots, key=lambda s: s.start),
        "tables": table_names(spec.tables),
        "buyer_caps": spec.caps.buyer.model_dump(),
        "supplier_caps": spec.caps.supplier.model_dump(),
        "participants": [
            item("participants", k, p, available=windows("participants", k, p.available))
            for k, p in enumerate(spec.participants)
        ],
        "interpreters": [
            item("interpreters", k, i, available=windows("interpreters", k, i.available))
            for k, i in enumerate(spec.interpreters)
        ],
        "locked": [
            item("locked", k, lock, slot=when)
            for k, lock in enumerate(spec.locked)
            if (when := moment("locked", k, "slot", lock.slot)) is not None
        ],
        **{
            section: [item(section, k, x) for k, x in enumerate(getattr(spec, section))]
            for section in ("requests", "declined", "met_before")
        },
        "source": places.source,
    }
    return Event.model_validate(document), problems


# The settings an Event takes from its spec as they are.
_SETTINGS = {
    "name",
    "timezone",
    "location",
    "floor",
    "min_score",
    "reserved_share",
    "priorities",
    "time_limit_s",
}


def _windows(written: Sequence[WindowSpec], tz: tzinfo, day: date | None) -> list[Window]:
    out = []
    for w in written:
        window = Window(start=parse_time(w.start, tz, day), end=parse_time(w.end, tz, day))
        if window.end <= window.start:
            raise ValueError(f"window {f'{w.start}-{w.end}'!r} ends before it starts")
        out.append(window)
    return out
