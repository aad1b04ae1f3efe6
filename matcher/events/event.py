"""The event as the planner sees it: times resolved to aware datetimes, slots one by one, tables
by name, each item remembering where it was written (for error messages). matcher.events.reader
builds one from an EventSpec; tests and benchmarks may build one directly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from matcher.events.spec import DEFAULT_PRIORITIES, DEFAULT_TIMEZONE, PriorityTier, Role
from matcher.schemas import NonNegInt, OptStr, StrList

# (file label, row): where an item was written, for error messages; row is the spreadsheet row
# (header = 1), the YAML line, or the item number in a JSON list.
Where = tuple[str, int | None]


class _Model(BaseModel):
    model_config = ConfigDict(
        str_strip_whitespace=True,
        extra="forbid",
        coerce_numbers_to_str=True,
        populate_by_name=True,
    )


class Item(_Model):
    """An item of an event section; remembers where it was written, for error messages."""

    where: Where | None = Field(default=None, exclude=True, repr=False)


class Window(_Model):
    """A time window [start, end) in which someone is available."""

    start: datetime
    end: datetime

    def contains(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end


class Slot(Item):
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


class Participant(Item):
    """A firm at the event. No windows = available all day; no languages = taken from the
    register (supplier ``languages``, requirement ``language``)."""

    id: str = Field(min_length=1)
    role: Role
    name: OptStr = None
    available: list[Window] = []
    languages: StrList = []
    min_meetings: NonNegInt = None
    max_meetings: NonNegInt = None


class MeetingRequest(Item):
    """A must-meet request from either side; mutual when the other side asked too."""

    from_id: str = Field(min_length=1, alias="from")
    to_id: str = Field(min_length=1, alias="to")


class PairRef(Item):
    """A buyer–supplier pair (declined, or met before)."""

    buyer: str = Field(min_length=1)
    supplier: str = Field(min_length=1)


class LockedMeeting(Item):
    """A confirmed meeting: re-planning keeps it in this slot at this table."""

    buyer: str = Field(min_length=1)
    supplier: str = Field(min_length=1)
    slot: datetime
    table: str = Field(min_length=1)
    interpreter: OptStr = None
    meeting_id: OptStr = None


class Interpreter(Item):
    """An interpreter: covers a meeting when they speak one language of each side."""

    id: str = Field(min_length=1)
    name: OptStr = None
    languages: Annotated[StrList, Field(min_length=1)]
    available: list[Window] = []


class Event(_Model):
    """One meeting day (or several): everything the planner needs besides the register."""

    name: str = "B2B meetings"
    timezone: str = DEFAULT_TIMEZONE
    location: OptStr = None
    slots: list[Slot]
    tables: list[str]
    buyer_caps: Caps = Caps()
    supplier_caps: Caps = Caps()
    floor: int = Field(default=1, ge=0)
    min_score: float = 0.0
    reserved_share: float = Field(default=0.0, ge=0.0, le=1.0)
    priorities: list[PriorityTier] = list(DEFAULT_PRIORITIES)
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

    def where(self, item: Item, section: str) -> Where:
        return item.where or (f"{self.source}[{section}]", None)


def available_slots(windows: Sequence[Window], slots: Sequence[Slot]) -> frozenset[int]:
    """Indices of the slots that lie wholly inside one window (no windows = every slot)."""
    if not windows:
        return frozenset(range(len(slots)))
    return frozenset(
        i for i, s in enumerate(slots) if any(w.contains(s.start, s.end) for w in windows)
    )


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
