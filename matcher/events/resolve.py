"""From a document to a checked Event: an event file's parsed content (or the document the
API stores) is validated as an EventDocument (matcher.events.spec), resolved (times on the
event's date and in its time zone, slot series one by one, tables by name) and checked whole
(matcher.events.check). Every problem names where its item was written (the YAML line, the
spreadsheet row, or the item number) and the field; pydantic's errors are translated so."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from matcher.errors import InputDataError, Problem
from matcher.events.check import check_event
from matcher.events.event import (
    Caps,
    Event,
    Interpreter,
    LockedMeeting,
    MeetingRequest,
    PairRef,
    Participant,
    Slot,
    Where,
    Window,
)
from matcher.events.spec import (
    SECTIONS,
    CapsSpec,
    EventDocument,
    WindowSpec,
    parse_time,
    table_names,
)


def parse_event(
    raw: Mapping[str, Any], where: Mapping[str, list[Where]] | None = None, source: str = "event"
) -> Event:
    """Validate, resolve and check an Event from plain data (a parsed YAML / JSON document, or
    the document the API stores); ``where`` says where each section's items were written."""
    places = _Places(source, where or {})
    try:
        spec = EventDocument.model_validate(_as_document(raw))
    except ValidationError as exc:
        raise InputDataError(validation_problems(exc, places.of)) from None
    event = _resolve(spec, places)
    problems = check_event(event)
    if problems:
        raise InputDataError(problems)
    return event


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
def _resolve(spec: EventDocument, places: _Places) -> Event:
    """Times on the event's date in its time zone, slot series one by one, tables by name."""
    problems: list[Problem] = []
    tz = ZoneInfo(spec.timezone)
    day = parse_time(spec.date, tz, None).date() if spec.date else None
    slots: list[Slot] = []
    for k, slot in enumerate(spec.slots):
        place = places.item("slots", k)
        try:
            start = parse_time(slot.start, tz, day)
        except ValueError as exc:
            problems.append(Problem(*place, "start", str(exc)))
            continue
        step = timedelta(minutes=slot.minutes + slot.gap)
        slots += [
            Slot(start=start + n * step, minutes=slot.minutes, where=place)
            for n in range(slot.count)
        ]
    if day is None and slots:
        day = min(s.start for s in slots).astimezone(tz).date()

    def windows(section: str, k: int, written: Sequence[WindowSpec]) -> list[Window]:
        try:
            return _windows(written, tz, day)
        except ValueError as exc:
            problems.append(Problem(*places.item(section, k), "available", str(exc)))
            return []

    participants = [
        Participant(
            id=p.id,
            role=p.role,
            name=p.name,
            available=windows("participants", k, p.available),
            languages=p.languages,
            min_meetings=p.min_meetings,
            max_meetings=p.max_meetings,
            where=places.item("participants", k),
        )
        for k, p in enumerate(spec.participants)
    ]
    interpreters = [
        Interpreter(
            id=i.id,
            name=i.name,
            languages=i.languages,
            available=windows("interpreters", k, i.available),
            where=places.item("interpreters", k),
        )
        for k, i in enumerate(spec.interpreters)
    ]
    locked: list[LockedMeeting] = []
    for k, lock in enumerate(spec.locked):
        place = places.item("locked", k)
        try:
            moment = parse_time(lock.slot, tz, day)
        except ValueError as exc:
            problems.append(Problem(*place, "slot", str(exc)))
            continue
        locked.append(LockedMeeting(**lock.model_dump(exclude={"slot"}), slot=moment, where=place))
    if problems:
        raise InputDataError(problems)
    return Event(
        name=spec.name,
        timezone=spec.timezone,
        location=spec.location,
        slots=sorted(slots, key=lambda s: s.start),
        tables=table_names(spec.tables),
        buyer_caps=_caps_of(spec.caps.buyer),
        supplier_caps=_caps_of(spec.caps.supplier),
        floor=spec.floor,
        min_score=spec.min_score,
        reserved_share=spec.reserved_share,
        priorities=spec.priorities,
        time_limit_s=spec.time_limit_s,
        participants=participants,
        requests=[
            MeetingRequest.model_validate(
                {"from": r.from_id, "to": r.to_id, "where": places.item("requests", k)}
            )
            for k, r in enumerate(spec.requests)
        ],
        declined=[
            PairRef(buyer=d.buyer, supplier=d.supplier, where=places.item("declined", k))
            for k, d in enumerate(spec.declined)
        ],
        met_before=[
            PairRef(buyer=m.buyer, supplier=m.supplier, where=places.item("met_before", k))
            for k, m in enumerate(spec.met_before)
        ],
        locked=locked,
        interpreters=interpreters,
        source=places.source,
    )


def _caps_of(caps: CapsSpec) -> Caps:
    return Caps(min=caps.min, max=caps.max)


def _windows(written: Sequence[WindowSpec], tz: tzinfo, day: date | None) -> list[Window]:
    out = []
    for w in written:
        window = Window(start=parse_time(w.start, tz, day), end=parse_time(w.end, tz, day))
        if window.end <= window.start:
            raise ValueError(f"window {f'{w.start}-{w.end}'!r} ends before it starts")
        out.append(window)
    return out
