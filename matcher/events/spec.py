"""The event format: what an organiser writes in an event file (YAML, JSON or a workbook) and
sends to the API, as pydantic models. One model for both, so the file reader and the API accept
the same fields with the same bounds (docs/events.md explains each field).

Texts stay texts here: a time is '09:00' (on the event's ``date``) or ISO 8601, ``tables`` is a
number or names. matcher.events.reader resolves a spec against its date and time zone into an
Event. What a spreadsheet cell holds is taken as written: 'ja; en' for a list, a number where an
id is text, a date or time cell where a time is text.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, time, tzinfo
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from matcher.schemas import StrList

Role = Literal["buyer", "supplier"]
# The goals a plan serves, taken strictly in the order of an event's ``priorities``.
PriorityTier = Literal[
    "floor", "mutual_requests", "one_sided_requests", "buyer_min", "reserved", "score"
]
# The floor comes first by default: participation of every registered supplier is the
# programme's goal, a request is a preference. Organisers may reorder with `priorities:`.
DEFAULT_PRIORITIES: tuple[PriorityTier, ...] = (
    "floor",
    "mutual_requests",
    "one_sided_requests",
    "buyer_min",
    "reserved",
    "score",
)
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
# The parts of an event: its settings, then the lists (in a workbook, one sheet each).
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
# Bounded: "tables: N" becomes N named tables (the biggest matchmaking days seat a few hundred).
MAX_TABLES = 500
MAX_TABLE_NAME = 50


# --- times as written -----------------------------------------------------------------------------
_TIME_OF_DAY = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def parse_time(text: str, tz: tzinfo, day: date | None) -> datetime:
    """A time as written: 'HH:MM' on ``day``, or ISO 8601; in ``tz`` unless it has an offset."""
    of_day = _TIME_OF_DAY.fullmatch(text)
    if of_day is not None:
        if day is None:
            raise ValueError(f"{text!r} is a time of day: give the event 'date' too")
        hour, minute, second = (int(part or 0) for part in of_day.groups())
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError(f"{text!r} is not a time of day; write HH:MM from 00:00 to 23:59")
        moment = datetime.combine(day, time(hour, minute, second))
    else:
        try:
            moment = datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            raise ValueError(
                f"{text!r} is not a date-time; write ISO 8601 like 2025-11-20T09:00"
            ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def cell_text(value: object) -> object:
    """A date or time cell of a workbook as ISO 8601 text; anything else as it is."""
    return value.isoformat() if isinstance(value, date | time) else value


def _checked_time(text: str) -> str:
    parse_time(text, UTC, date(2000, 1, 1))  # any day stands in for the event's date here
    return text


def _checked_date(text: str | None) -> str | None:
    if text:
        parse_time(text, UTC, None)
    return text


def _known_zone(name: str) -> str:
    if not name:
        return DEFAULT_TIMEZONE
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


# --- shorthands a file may use --------------------------------------------------------------------
_WINDOW_HHMM = re.compile(r"^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$")


def _windows_as_written(value: object) -> object:
    """Windows as '08:30-11:00; 13:30-16:00', 'start/end' in ISO 8601, {start, end} or a list."""
    if value is None or value == "":
        return []
    parts = value if isinstance(value, list) else [value]
    if isinstance(value, str):
        parts = [p for p in re.split(r"\s*[;|\n]\s*", value.strip()) if p]
    out: list[object] = []
    for part in parts:
        if isinstance(part, dict):
            out.append(part)
            continue
        text = str(part).strip()
        hhmm = _WINDOW_HHMM.match(text)
        if hhmm:
            out.append({"start": hhmm[1], "end": hhmm[2]})
        elif "/" in text:
            start, end = text.split("/", 1)
            out.append({"start": start, "end": end})
        else:
            raise ValueError(
                f"window {text!r}: write '09:00-12:00' or '2025-11-20T09:00/2025-11-20T12:00'"
            )
    return out


def _tables_as_written(value: object) -> object:
    """A number of tables (named T01, T02, …), or names as a list or as 'A; B; C'."""
    if isinstance(value, bool) or value is None:
        raise ValueError("give the number of tables or their names")
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        count = int(value)
        if count < 1:
            raise ValueError(f"need at least 1 table, got {count}")
        if count > MAX_TABLES:  # a typo such as 10**12 must not build a trillion table names
            raise ValueError(f"at most {MAX_TABLES} tables, got {count}")
        return count
    names = value if isinstance(value, list) else re.split(r"\s*[;,|\n]\s*", str(value).strip())
    names = [str(n).strip() for n in names if str(n).strip()]
    if not names:
        raise ValueError("no tables")
    if len(names) > MAX_TABLES:
        raise ValueError(f"at most {MAX_TABLES} tables, got {len(names)}")
    long = [n for n in names if len(n) > MAX_TABLE_NAME]
    if long:
        raise ValueError(f"table name {long[0]!r} is longer than {MAX_TABLE_NAME} characters")
    dupes = sorted(n for n, c in Counter(names).items() if c > 1)
    if dupes:
        raise ValueError(f"table names repeat: {', '.join(dupes)}")
    return names


def _priorities_as_written(value: object) -> object:
    """Priorities as a list or as text: 'mutual_requests > floor, score'."""
    return [p for p in re.split(r"[\s,;>]+", value) if p] if isinstance(value, str) else value


def table_names(tables: int | list[str]) -> list[str]:
    """The tables of a spec by name: a number N names them T01 … TN."""
    return [f"T{i:02d}" for i in range(1, tables + 1)] if isinstance(tables, int) else tables


TimeText = Annotated[
    str,
    BeforeValidator(cell_text),
    Field(min_length=1, max_length=40),
    AfterValidator(_checked_time),
]
Id = Annotated[str, Field(min_length=1, max_length=200)]
OptName = Annotated[str | None, Field(max_length=300)]
Count = Annotated[Annotated[int, Field(ge=0, le=1000)] | None, BeforeValidator(_blank_is_none)]
Languages = Annotated[StrList, Field(max_length=20)]


# --- the models -----------------------------------------------------------------------------------
class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)


class SlotSpec(_Spec):
    """``count`` slots of ``minutes`` from ``start`` ('09:00' on the event date, or ISO 8601),
    ``gap`` minutes apart."""

    start: TimeText
    minutes: int = Field(ge=1, le=24 * 60)
    count: int = Field(default=1, ge=1, le=100)
    gap: int = Field(default=0, ge=0, le=24 * 60)


class CapsSpec(_Spec):
    """How many meetings one firm of a role may have; ``max`` null = as many as slots."""

    min: int = Field(default=0, ge=0, le=1000)
    max: int | None = Field(default=None, ge=0, le=1000)


class RoleCapsSpec(_Spec):
    buyer: CapsSpec = CapsSpec()
    supplier: CapsSpec = CapsSpec()


class WindowSpec(_Spec):
    """A time window [start, end) in which someone is available."""

    start: TimeText
    end: TimeText


Windows = Annotated[list[WindowSpec], BeforeValidator(_windows_as_written), Field(max_length=50)]


class ParticipantSpec(_Spec):
    """A firm at the event. No windows = available all day; no languages = from the register
    (supplier ``languages``, requirement ``language``)."""

    id: Id
    role: Role
    name: OptName = None
    available: Windows = []
    languages: Languages = []
    min_meetings: Count = None
    max_meetings: Count = None


class RequestSpec(_Spec):
    """A must-meet request from either side; mutual when the other side asked too."""

    model_config = ConfigDict(populate_by_name=True)

    from_id: Id = Field(alias="from")
    to_id: Id = Field(alias="to")


class PairSpec(_Spec):
    """A buyer–supplier pair (declined, or met before)."""

    buyer: Id
    supplier: Id


class InterpreterSpec(_Spec):
    """An interpreter: covers a meeting when they speak one language of each side."""

    id: Id
    name: OptName = None
    languages: Annotated[Languages, Field(min_length=1)]
    available: Windows = []


class LockedSpec(_Spec):
    """A confirmed meeting: re-planning keeps it in this slot (its start) at this table."""

    buyer: Id
    supplier: Id
    slot: TimeText
    table: Annotated[str, Field(min_length=1, max_length=MAX_TABLE_NAME)]
    interpreter: Annotated[Id | None, BeforeValidator(_blank_is_none)] = None
    meeting_id: Annotated[Id | None, BeforeValidator(_blank_is_none)] = None


class EventSpec(_Spec):
    """An event as in an event file (docs/events.md); ``locked`` is managed with /locks."""

    name: str = Field(default="B2B meetings", min_length=1, max_length=300)
    timezone: Annotated[str, AfterValidator(_known_zone)] = Field(
        default=DEFAULT_TIMEZONE, max_length=64
    )
    location: OptName = None
    date: Annotated[str | None, BeforeValidator(cell_text), AfterValidator(_checked_date)] = Field(
        default=None, max_length=40, description="YYYY-MM-DD"
    )
    slots: list[SlotSpec] = Field(min_length=1, max_length=50)
    tables: Annotated[
        Annotated[int, Field(ge=1, le=MAX_TABLES)]
        | Annotated[
            list[Annotated[str, Field(min_length=1, max_length=MAX_TABLE_NAME)]],
            Field(min_length=1, max_length=MAX_TABLES),
        ],
        BeforeValidator(_tables_as_written),
    ] = Field(description=f"How many tables (at most {MAX_TABLES}), or their names.")
    caps: RoleCapsSpec = RoleCapsSpec()
    floor: int = Field(default=1, ge=0, le=1000)
    min_score: float = Field(default=0.0, ge=-1e6, le=1e6)
    reserved_share: float = Field(default=0.0, ge=0.0, le=1.0)
    time_limit_s: float = Field(default=30.0, gt=0, le=3600)
    participants: list[ParticipantSpec] = Field(default=[], max_length=5000)
    requests: list[RequestSpec] = Field(default=[], max_length=20000)
    declined: list[PairSpec] = Field(default=[], max_length=20000)
    met_before: list[PairSpec] = Field(default=[], max_length=20000)
    interpreters: list[InterpreterSpec] = Field(default=[], max_length=500)


class EventDocument(EventSpec):
    """A whole event file (or an event the API stores): the spec, the order of the goals and
    the confirmed meetings."""

    priorities: Annotated[list[PriorityTier], BeforeValidator(_priorities_as_written)] = list(
        DEFAULT_PRIORITIES
    )
    locked: list[LockedSpec] = []
