"""Events: the description of a B2B meeting day (slots, tables, caps, participants, requests,
locked meetings, interpreters), loaded from YAML / JSON or from an XLSX workbook with one sheet per
section, checked whole (every problem with its sheet and row) before anything is planned."""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from matcher.errors import InputDataError, Problem
from matcher.normalise import buyer_id_of, fold
from matcher.schemas import NonNegInt, OptStr, Requirement, StrList, Supplier

log = logging.getLogger(__name__)

Role = Literal["buyer", "supplier"]
Tier = Literal["floor", "mutual_requests", "one_sided_requests", "buyer_min", "reserved", "score"]
# The floor comes first by default: participation of every registered supplier is the
# programme's goal, a request is a preference. Organisers may reorder with `priorities:`.
DEFAULT_PRIORITIES: tuple[Tier, ...] = (
    "floor",
    "mutual_requests",
    "one_sided_requests",
    "buyer_min",
    "reserved",
    "score",
)
SECTIONS = (
    "event",
    "slots",
    "participants",
    "requests",
    "declined",
    "met_before",
    "locked",
    "interpreters",
)
EVENT_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")
# (file label, row): where an item was written, for error messages; row is the spreadsheet row
# (header = 1), the YAML line, or the item number in a JSON list.
Where = tuple[str, int | None]


# --- the model ------------------------------------------------------------------------------------
class _Model(BaseModel):
    model_config = ConfigDict(
        str_strip_whitespace=True,
        extra="forbid",
        coerce_numbers_to_str=True,
        populate_by_name=True,
    )


class _Item(_Model):
    where: Where | None = Field(default=None, exclude=True, repr=False)


class Window(_Model):
    """A time window [start, end) in which someone is available."""

    start: datetime
    end: datetime

    def contains(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end


class Slot(_Item):
    """A meeting slot: every table hosts at most one meeting in it."""

    start: datetime
    minutes: int = Field(gt=0, le=24 * 60)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


class Caps(_Model):
    """How many meetings one participant of a role may have; ``max`` None = as many as slots."""

    min: int = Field(default=0, ge=0)
    max: int | None = Field(default=None, ge=0)


class Participant(_Item):
    """A firm at the event. No windows = available all day; no languages = taken from the
    register (supplier ``languages``, requirement ``language``)."""

    id: str = Field(min_length=1)
    role: Role
    name: OptStr = None
    available: list[Window] = []
    languages: StrList = []
    min_meetings: NonNegInt = None
    max_meetings: NonNegInt = None


class MeetingRequest(_Item):
    """A must-meet request from either side; mutual when the other side asked too."""

    from_id: str = Field(min_length=1, alias="from")
    to_id: str = Field(min_length=1, alias="to")


class PairRef(_Item):
    """A buyer–supplier pair (declined, or met before)."""

    buyer: str = Field(min_length=1)
    supplier: str = Field(min_length=1)


class LockedMeeting(_Item):
    """A confirmed meeting: re-planning keeps it in this slot at this table."""

    buyer: str = Field(min_length=1)
    supplier: str = Field(min_length=1)
    slot: datetime
    table: str = Field(min_length=1)
    interpreter: OptStr = None
    meeting_id: OptStr = None


class Interpreter(_Item):
    """An interpreter: covers a meeting when they speak one language of each side."""

    id: str = Field(min_length=1)
    name: OptStr = None
    languages: Annotated[StrList, Field(min_length=1)]
    available: list[Window] = []


class Event(_Model):
    """One meeting day (or several): everything the planner needs besides the register."""

    name: str = "B2B meetings"
    timezone: str = "Asia/Ho_Chi_Minh"
    location: OptStr = None
    slots: list[Slot]
    tables: list[str]
    buyer_caps: Caps = Caps()
    supplier_caps: Caps = Caps()
    floor: int = Field(default=1, ge=0)
    min_score: float = 0.0
    reserved_share: float = Field(default=0.0, ge=0.0, le=1.0)
    priorities: list[Tier] = list(DEFAULT_PRIORITIES)
    time_limit_s: float = Field(default=30.0, gt=0)
    participants: list[Participant] = []
    requests: list[MeetingRequest] = []
    declined: list[PairRef] = []
    met_before: list[PairRef] = []
    locked: list[LockedMeeting] = []
    interpreters: list[Interpreter] = []
    source: str = Field(default="event", exclude=True)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def slot_index(self, start: datetime) -> int | None:
        """The index of the slot starting at ``start`` (None when no slot starts then)."""
        for i, slot in enumerate(self.slots):
            if slot.start == start:
                return i
        return None

    def where(self, item: _Item, section: str) -> Where:
        return item.where or (f"{self.source}[{section}]", None)


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


# --- turning raw sections into an Event -----------------------------------------------------------
_WINDOW_HHMM = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")


def _as_datetime(value: Any, tz: ZoneInfo, day: date | None) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, time):
        if day is None:
            raise ValueError("a time of day needs the event 'date'")
        moment = datetime.combine(day, value)
    else:
        text = str(value).strip()
        if re.fullmatch(r"\d{1,2}:\d{2}", text):
            if day is None:
                raise ValueError(f"{text!r} is a time of day: give the event 'date' too")
            hour, minute = map(int, text.split(":"))
            moment = datetime.combine(day, time(hour, minute))
        else:
            try:
                moment = datetime.fromisoformat(text.replace(" ", "T", 1))
            except ValueError:
                raise ValueError(
                    f"{text!r} is not a date-time; write ISO 8601 like 2025-11-20T09:00"
                ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _windows(value: Any, tz: ZoneInfo, day: date | None) -> list[Window]:
    """Windows as 'HH:MM-HH:MM' (on the event date), 'start/end' ISO, or {start, end}."""
    if value is None or value == "":
        return []
    parts: Iterable[Any]
    if isinstance(value, str):
        parts = [p for p in re.split(r"\s*[;|\n]\s*", value.strip()) if p]
    elif isinstance(value, list):
        parts = value
    else:
        parts = [value]
    out = []
    for part in parts:
        if isinstance(part, dict):
            start, end = part.get("start"), part.get("end")
        else:
            text = str(part).strip()
            hhmm = _WINDOW_HHMM.match(text)
            if hhmm:
                start, end = f"{hhmm[1]}:{hhmm[2]}", f"{hhmm[3]}:{hhmm[4]}"
            elif "/" in text:
                start, end = text.split("/", 1)
            else:
                raise ValueError(
                    f"window {text!r}: write '09:00-12:00' or '2025-11-20T09:00/2025-11-20T12:00'"
                )
        window = Window(start=_as_datetime(start, tz, day), end=_as_datetime(end, tz, day))
        if window.end <= window.start:
            raise ValueError(f"window {part!r} ends before it starts")
        out.append(window)
    return out


def _validation_problems(exc: ValidationError, where: Where) -> list[Problem]:
    out = []
    for err in exc.errors():
        column = ".".join(str(p) for p in err["loc"]) or None
        message = "must not be empty" if err["type"] == "string_too_short" else err["msg"]
        out.append(Problem(where[0], where[1], column, f"{message} (got {err.get('input')!r})"))
    return out


_SETTING_ALIASES = {
    "buyer_min": ("buyer_caps", "min"),
    "buyer_max": ("buyer_caps", "max"),
    "supplier_min": ("supplier_caps", "min"),
    "supplier_max": ("supplier_caps", "max"),
}


def _settings(raw: Mapping[str, Any], label: str) -> tuple[dict[str, Any], list[Problem]]:
    """Top-level settings; accepts both `caps: {buyer: {min, max}}` and flat `buyer_max`."""
    settings: dict[str, Any] = {}
    problems: list[Problem] = []
    caps: dict[str, dict[str, Any]] = {"buyer_caps": {}, "supplier_caps": {}}
    nested = raw.get("caps") or {}
    if isinstance(nested, dict):
        for role in ("buyer", "supplier"):
            part = nested.get(role) or {}
            if isinstance(part, dict):
                caps[f"{role}_caps"].update(part)
    for key, value in raw.items():
        if key in _SETTING_ALIASES:
            section, bound = _SETTING_ALIASES[key]
            caps[section][bound] = value
        elif key in {"name", "timezone", "location", "floor", "min_score", "reserved_share"} or (
            key == "time_limit_s"
        ):
            settings[key] = value
        elif key == "priorities":
            settings[key] = (
                [p for p in re.split(r"[\s,;>]+", value) if p] if isinstance(value, str) else value
            )
        elif key not in {"caps", "tables", "date", *SECTIONS[1:]}:
            problems.append(
                Problem(
                    label,
                    None,
                    key,
                    "unknown setting; known: name, timezone, location, date, tables, caps "
                    "(buyer_min, buyer_max, supplier_min, supplier_max), floor, min_score, "
                    "reserved_share, priorities, time_limit_s",
                )
            )
    for section, values in caps.items():
        settings[section] = {k: (None if v == "" else v) for k, v in values.items()}
    return settings, problems


# Larger than any trade-fair floor (the biggest matchmaking days seat a few hundred tables).
MAX_TABLES = 2_000


def _tables(value: Any, label: str) -> tuple[list[str], list[Problem]]:
    if isinstance(value, bool) or value is None:
        return [], [Problem(label, None, "tables", "give the number of tables or their names")]
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        count = int(value)
        if count < 1:
            return [], [Problem(label, None, "tables", f"need at least 1 table, got {count}")]
        if count > MAX_TABLES:  # a typo such as 10**12 must not build a trillion table names
            return [], [Problem(label, None, "tables", f"at most {MAX_TABLES} tables, got {count}")]
        return [f"T{i:02d}" for i in range(1, count + 1)], []
    names = value if isinstance(value, list) else re.split(r"\s*[;,|\n]\s*", str(value).strip())
    names = [str(n).strip() for n in names if str(n).strip()]
    dupes = sorted(n for n, c in Counter(names).items() if c > 1)
    if dupes:
        return [], [Problem(label, None, "tables", f"table names repeat: {', '.join(dupes)}")]
    return names, []


def parse_event(
    raw: Mapping[str, Any], where: Mapping[str, list[Where]] | None = None, source: str = "event"
) -> Event:
    """Build and check an Event from plain data (a parsed YAML / JSON document)."""
    where = where or {}
    problems: list[Problem] = []
    settings, setting_problems = _settings(raw, source)
    problems += setting_problems
    try:
        tz = ZoneInfo(str(settings.get("timezone") or "Asia/Ho_Chi_Minh"))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            Problem(source, None, "timezone", f"unknown time zone {settings['timezone']!r}")
        )
        tz = ZoneInfo("Asia/Ho_Chi_Minh")
    day: date | None = None
    if raw.get("date") not in (None, ""):
        try:
            day = _as_datetime(
                raw["date"] if not isinstance(raw["date"], date) else str(raw["date"]), tz, None
            ).date()
        except ValueError as exc:
            problems.append(Problem(source, None, "date", str(exc)))
    tables, table_problems = _tables(raw.get("tables"), source)
    problems += table_problems

    def items(section: str) -> list[tuple[dict[str, Any], Where]]:
        values = raw.get(section) or []
        if not isinstance(values, list):
            problems.append(Problem(source, None, section, "expected a list"))
            return []
        places = where.get(section) or [
            (f"{source}[{section}]", n) for n in range(1, len(values) + 1)
        ]
        out = []
        for value, place in zip(values, places, strict=False):
            if not isinstance(value, dict):
                problems.append(Problem(place[0], place[1], None, "expected a mapping"))
                continue
            out.append(({str(k): v for k, v in value.items()}, place))
        return out

    slots: list[Slot] = []
    for cells, place in items("slots"):
        try:
            count = int(cells.pop("count", 1) or 1)
            gap = int(cells.pop("gap", cells.pop("break_minutes", 0)) or 0)
            start = _as_datetime(cells.get("start"), tz, day)
            first = Slot.model_validate({**cells, "start": start, "where": place})
        except (ValueError, TypeError) as exc:
            if isinstance(exc, ValidationError):
                problems += _validation_problems(exc, place)
            else:
                problems.append(Problem(place[0], place[1], "start", str(exc)))
            continue
        if count < 1 or gap < 0:
            problems.append(Problem(place[0], place[1], "count", "count ≥ 1 and gap ≥ 0"))
            continue
        step = timedelta(minutes=first.minutes + gap)
        slots += [first.model_copy(update={"start": first.start + k * step}) for k in range(count)]
    if day is None and slots:
        day = min(s.start for s in slots).astimezone(tz).date()

    def build(model: type[_Item], section: str, times: Sequence[str] = ()) -> list[Any]:
        out = []
        for cells, place in items(section):
            try:
                for key in times:
                    if key == "available":
                        cells[key] = _windows(cells.get(key), tz, day)
                    elif cells.get(key) not in (None, ""):
                        cells[key] = _as_datetime(cells[key], tz, day)
                out.append(model.model_validate({**cells, "where": place}))
            except ValidationError as exc:
                problems.extend(_validation_problems(exc, place))
            except ValueError as exc:
                problems.append(Problem(place[0], place[1], ", ".join(times), str(exc)))
        return out

    participants = build(Participant, "participants", ("available",))
    requests = build(MeetingRequest, "requests")
    declined = build(PairRef, "declined")
    met_before = build(PairRef, "met_before")
    locked = build(LockedMeeting, "locked", ("slot",))
    interpreters = build(Interpreter, "interpreters", ("available",))
    event: Event | None = None
    if not problems:
        try:
            event = Event.model_validate(
                {
                    **settings,
                    "slots": slots,
                    "tables": tables,
                    "participants": participants,
                    "requests": requests,
                    "declined": declined,
                    "met_before": met_before,
                    "locked": locked,
                    "interpreters": interpreters,
                    "source": source,
                }
            )
        except ValidationError as exc:
            problems += _validation_problems(exc, (source, None))
    if event is None:
        raise InputDataError(problems or [Problem(source, None, None, "invalid event")])
    problems += check_event(event)
    if problems:
        raise InputDataError(problems)
    return event


def load_event(path: Path | str) -> Event:
    """Read an event file (.yaml / .yml / .json / .xlsx) and check it whole."""
    path = Path(path)
    if path.suffix.lower() not in EVENT_SUFFIXES:
        raise InputDataError(
            [Problem(str(path), None, None, f"use one of {', '.join(EVENT_SUFFIXES)}")]
        )
    if not path.is_file():
        raise InputDataError([Problem(str(path), None, None, "file not found")])
    raw, where = _read_document(path)
    event = parse_event(raw, where, source=str(path))
    log.info(
        "%s: %d slots, %d tables, %d participants",
        path,
        len(event.slots),
        len(event.tables),
        len(event.participants),
    )
    return event


# --- consistency checks ---------------------------------------------------------------------------
def available_slots(windows: Sequence[Window], slots: Sequence[Slot]) -> frozenset[int]:
    """Indices of the slots that lie wholly inside one window (no windows = every slot)."""
    if not windows:
        return frozenset(range(len(slots)))
    return frozenset(
        i for i, s in enumerate(slots) if any(w.contains(s.start, s.end) for w in windows)
    )


def check_event(event: Event) -> list[Problem]:
    """Every inconsistency inside an event (the register is checked by check_against_register)."""
    problems: list[Problem] = []

    def add(item: _Item | None, section: str, column: str | None, message: str) -> None:
        file, row = event.where(item, section) if item is not None else (event.source, None)
        problems.append(Problem(file, row, column, message))

    if not event.slots:
        add(None, "slots", "slots", "no slots: add at least one (start, minutes)")
    ordered = sorted(event.slots, key=lambda s: s.start)
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            add(
                after,
                "slots",
                "start",
                f"slot {after.start.isoformat()} overlaps slot {before.start.isoformat()}–"
                f"{before.end.time().isoformat('minutes')}",
            )
    event.slots.sort(key=lambda s: s.start)
    if not event.tables:
        add(None, "event", "tables", "no tables")
    for role, caps in (("buyer", event.buyer_caps), ("supplier", event.supplier_caps)):
        if caps.max is not None and caps.min > caps.max:
            add(None, "event", f"{role}_min", f"{role} min {caps.min} exceeds max {caps.max}")
    if len(set(event.priorities)) != len(event.priorities):
        add(None, "event", "priorities", "a priority is listed twice")

    ids: dict[str, Participant] = {}
    for p in event.participants:
        if p.id in ids:
            add(p, "participants", "id", f"participant {p.id!r} is listed twice")
        ids[p.id] = p
        if (
            p.min_meetings is not None
            and p.max_meetings is not None
            and (p.min_meetings > p.max_meetings)
        ):
            add(p, "participants", "min_meetings", "min_meetings exceeds max_meetings")
        if p.available and not available_slots(p.available, event.slots):
            add(p, "participants", "available", "no slot lies inside the availability windows")

    listed = bool(event.participants)

    def check_ref(item: _Item, section: str, column: str, pid: str, role: Role | None) -> bool:
        if not listed:
            return True  # everyone in the register takes part; checked against the register
        p = ids.get(pid)
        if p is None:
            add(item, section, column, f"unknown participant {pid!r} (not in 'participants')")
            return False
        if role is not None and p.role != role:
            add(item, section, column, f"{pid!r} is a {p.role}, expected a {role}")
            return False
        return True

    for req in event.requests:
        ok = check_ref(req, "requests", "from", req.from_id, None)
        ok &= check_ref(req, "requests", "to", req.to_id, None)
        if ok and listed and ids[req.from_id].role == ids[req.to_id].role:
            add(req, "requests", "to", "a request must go from a buyer to a supplier or back")
    for section, pairs in (("declined", event.declined), ("met_before", event.met_before)):
        for pair in pairs:
            check_ref(pair, section, "buyer", pair.buyer, "buyer")
            check_ref(pair, section, "supplier", pair.supplier, "supplier")

    interpreter_ids: dict[str, Interpreter] = {}
    for listed_interp in event.interpreters:
        if listed_interp.id in interpreter_ids:
            add(listed_interp, "interpreters", "id", f"interpreter {listed_interp.id!r} twice")
        interpreter_ids[listed_interp.id] = listed_interp

    declined = {(d.buyer, d.supplier) for d in event.declined}
    busy: set[tuple[str, str, int]] = set()
    interpreter_busy: set[tuple[str, int]] = set()
    per_participant: Counter[str] = Counter()
    tables = set(event.tables)
    seen_pairs: set[tuple[str, str]] = set()
    for lock in event.locked:
        ok = check_ref(lock, "locked", "buyer", lock.buyer, "buyer")
        ok &= check_ref(lock, "locked", "supplier", lock.supplier, "supplier")
        slot = event.slot_index(lock.slot)
        if slot is None:
            add(lock, "locked", "slot", f"no slot starts at {lock.slot.isoformat()}")
            continue
        if lock.table not in tables:
            add(lock, "locked", "table", f"no table {lock.table!r}")
        if (lock.buyer, lock.supplier) in declined:
            add(lock, "locked", "supplier", "this pair is also listed as declined")
        if (lock.buyer, lock.supplier) in seen_pairs:
            add(lock, "locked", "supplier", "this pair is locked twice")
        seen_pairs.add((lock.buyer, lock.supplier))
        for key, column in (
            (lock.buyer, "buyer"),
            (lock.supplier, "supplier"),
            (lock.table, "table"),
        ):
            if (column, key, slot) in busy:
                add(lock, "locked", column, f"{key!r} is already in a locked meeting in this slot")
            busy.add((column, key, slot))
        if lock.interpreter is not None:
            interp = interpreter_ids.get(lock.interpreter)
            if interp is None:
                add(lock, "locked", "interpreter", f"unknown interpreter {lock.interpreter!r}")
            elif slot not in available_slots(interp.available, event.slots):
                add(lock, "locked", "interpreter", f"{interp.id!r} is not available then")
            elif (lock.interpreter, slot) in interpreter_busy:
                add(lock, "locked", "interpreter", f"{interp.id!r} is already booked then")
            interpreter_busy.add((lock.interpreter, slot))
        if not ok:
            continue
        per_participant[lock.buyer] += 1
        per_participant[lock.supplier] += 1
        for pid in (lock.buyer, lock.supplier):
            who = ids.get(pid)
            if who is not None and slot not in available_slots(p.available, event.slots):
                add(lock, "locked", "slot", f"{pid!r} is not available at {lock.slot.isoformat()}")
    locks_of: dict[str, LockedMeeting] = {}
    for lock in event.locked:
        locks_of.setdefault(lock.buyer, lock)
        locks_of.setdefault(lock.supplier, lock)
    for pid, count in per_participant.items():
        side: Role = "buyer" if any(lk.buyer == pid for lk in event.locked) else "supplier"
        cap = participant_max(event, pid, side, ids.get(pid))
        if count > cap:
            add(
                locks_of[pid],
                "locked",
                side,
                f"{pid!r} has {count} locked meetings but may have at most {cap} "
                f"(the {side} max, or the number of slots)",
            )
    return problems


def participant_max(event: Event, pid: str, role: Role, p: Participant | None) -> int:
    """The most meetings a participant may have: their own max, the role's, and the slots."""
    caps = event.buyer_caps if role == "buyer" else event.supplier_caps
    cap = len(event.slots) if caps.max is None else min(caps.max, len(event.slots))
    if p is not None and p.max_meetings is not None:
        cap = min(cap, p.max_meetings)
    return cap


def participant_min(event: Event, role: Role, p: Participant | None) -> int:
    caps = event.buyer_caps if role == "buyer" else event.supplier_caps
    if p is not None and p.min_meetings is not None:
        return p.min_meetings
    return caps.min


def check_against_register(
    event: Event, requirements: Sequence[Requirement], suppliers: Sequence[Supplier]
) -> list[Problem]:
    """Every id in the event must name a buyer of the requirements or a registered supplier."""
    buyers = {buyer_id_of(r) for r in requirements}
    supplier_ids = {s.supplier_id for s in suppliers}
    known: dict[str, Role] = dict.fromkeys(buyers, "buyer")
    known.update(dict.fromkeys(supplier_ids, "supplier"))
    problems: list[Problem] = []

    def check(item: _Item, section: str, column: str, pid: str, role: Role | None) -> None:
        found = known.get(pid)
        file, row = event.where(item, section)
        if found is None:
            hint = "a supplier_id of the suppliers file" if role == "supplier" else "a buyer id"
            if role != "supplier":
                hint += f" (buyer_id, or the buyer name as a slug, e.g. {sorted(buyers)[:2]})"
            problems.append(Problem(file, row, column, f"unknown participant {pid!r}: use {hint}"))
        elif role is not None and found != role:
            problems.append(Problem(file, row, column, f"{pid!r} is a {found}, expected {role}"))

    for p in event.participants:
        check(p, "participants", "id", p.id, p.role)
    if not event.participants:
        for req in event.requests:
            check(req, "requests", "from", req.from_id, None)
            check(req, "requests", "to", req.to_id, None)
            if known.get(req.from_id, "?") == known.get(req.to_id, "!"):
                file, row = event.where(req, "requests")
                problems.append(
                    Problem(file, row, "to", "a request must join a buyer and a supplier")
                )
        for section, pairs in (("declined", event.declined), ("met_before", event.met_before)):
            for pair in pairs:
                check(pair, section, "buyer", pair.buyer, "buyer")
                check(pair, section, "supplier", pair.supplier, "supplier")
        for lock in event.locked:
            check(lock, "locked", "buyer", lock.buyer, "buyer")
            check(lock, "locked", "supplier", lock.supplier, "supplier")
    return problems


def participants_of(
    event: Event, requirements: Sequence[Requirement], suppliers: Sequence[Supplier]
) -> list[Participant]:
    """The event's participants, or every buyer and supplier of the register when none listed."""
    if event.participants:
        return list(event.participants)
    names: dict[str, str] = {}
    for r in requirements:
        names.setdefault(buyer_id_of(r), r.buyer)
    out = [Participant(id=b, role="buyer", name=n) for b, n in names.items()]
    out += [Participant(id=s.supplier_id, role="supplier", name=s.name) for s in suppliers]
    return out


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
                    slot=_as_datetime(cells["slot_start"], tz, None),
                    table=str(cells["table"] or ""),
                    interpreter=str(cells.get("interpreter") or "") or None,
                    meeting_id=str(cells.get("meeting_id") or "") or None,
                    where=place,
                )
            )
        except ValidationError as exc:
            problems += _validation_problems(exc, place)
        except ValueError as exc:
            problems.append(Problem(str(path), raw.row, "slot_start", str(exc)))
    if problems:
        raise InputDataError(problems)
    return out


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
