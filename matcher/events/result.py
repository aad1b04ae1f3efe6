"""What a plan is made of: the meetings (the rows of schedule.csv), the firms as agendas show
them, the KPIs and diagnostics; and what building the problem learnt, which diagnostics and KPIs
read. matcher.events.plan makes these, matcher.events.agenda writes them out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from matcher.events.event import Event
from matcher.events.problem import MeetingProblem, RequestKind


@dataclass(frozen=True)
class Firm:
    """A participant as shown in lists and agendas."""

    id: str
    role: str
    name: str
    languages: tuple[str, ...]
    floor: int
    cap: int
    priority: bool = False


@dataclass(frozen=True)
class Meeting:
    """One row of the schedule (the columns of schedule.csv plus what agendas need)."""

    meeting_id: str
    slot: int
    slot_start: datetime
    slot_end: datetime
    table: str
    buyer_id: str
    requirement_id: str
    supplier_id: str
    score: float
    interpreter: str = ""
    locked: bool = False
    request: RequestKind = ""
    explanation: str = ""


@dataclass
class EventPlan:
    """The plan: meetings, who takes part, KPIs, and what an organiser should know."""

    event: Event
    meetings: list[Meeting]
    firms: dict[str, Firm]
    kpis: dict[str, Any]
    diagnostics: list[str]
    short: dict[str, str]  # supplier id → why it has fewer meetings than its floor
    requirement_titles: dict[str, str] = field(default_factory=dict)


@dataclass
class PlanContext:
    """What building the meeting problem learnt about the event, for the diagnostics and KPIs."""

    problem: MeetingProblem
    firms: dict[str, Firm]
    excluded: dict[tuple[str, str], str]  # pair → why it may not meet (declined, met before)
    below_min: dict[str, float]  # supplier → best score it had, under min_score
    explanations: dict[tuple[str, str], str]
    lock_ids: dict[int, str]
    dropped_requests: list[str]


def meeting_counts(meetings: Sequence[Meeting]) -> Counter[str]:
    """How many meetings each firm has."""
    degree: Counter[str] = Counter()
    for m in meetings:
        degree[m.buyer_id] += 1
        degree[m.supplier_id] += 1
    return degree
