"""Planning again: after late registrations, keeping the confirmed (locked) meetings where they
are; and what-if options, which plan a changed copy of the event and report the change in KPIs
without writing anything."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from matcher.errors import ConfigError
from matcher.events.check import check_event
from matcher.events.event import Event, LockedMeeting, Slot
from matcher.events.plan import plan_event
from matcher.events.reader import load_locked
from matcher.events.resolve import with_locked
from matcher.events.result import EventPlan
from matcher.schemas import Match, Requirement, Supplier


def replan_event(
    event: Event,
    matches: Sequence[Match],
    requirements: Sequence[Requirement],
    suppliers: Sequence[Supplier],
    locked: Sequence[LockedMeeting] | Path | str,
) -> EventPlan:
    """Plan again (after late registrations) keeping ``locked`` meetings in their slot and table;
    ``locked`` is a list or a schedule file (a previous schedule.csv with confirmed rows)."""
    extra = locked if not isinstance(locked, Path | str) else load_locked(locked, event)
    return plan_event(with_locked(event, extra), matches, requirements, suppliers)


_OPTION = re.compile(
    r"^(tables|slots|buyer_max|supplier_max|buyer_min|supplier_min|floor)\s*([+-])\s*(\d+)$"
    r"|^(min_score|reserved_share)\s*=\s*([0-9.]+)$"
)
WHAT_IF_KEYS = (
    "meetings",
    "suppliers_with_meeting_share",
    "suppliers_at_floor_share",
    "mean_score",
    "idle_table_slots",
    "slots_used",
)


@dataclass
class WhatIf:
    """The effect of one change, against the plan as it stands; nothing is written."""

    option: str
    kpis: dict[str, Any]
    delta: dict[str, float]
    short: int
    note: str = ""
    plan: EventPlan | None = field(default=None, repr=False)  # the changed event's plan


def apply_option(event: Event, option: str) -> Event:
    """A copy of the event with one change: 'tables+5', 'slots+2', 'supplier_max+1',
    'buyer_min-1', 'floor+1', 'min_score=0.2', 'reserved_share=0.3'."""
    found = _OPTION.match(option.strip().replace(" ", ""))
    if found is None:
        raise ConfigError(
            f"what-if option {option!r} not understood; use e.g. tables+5, slots+2, "
            "buyer_max+1, supplier_max+1, buyer_min-1, supplier_min+1, floor+1, "
            "min_score=0.2, reserved_share=0.3"
        )
    key, sign, amount, set_key, set_value = found.groups()
    if set_key is not None:
        return event.model_copy(update={set_key: float(set_value)})
    n = int(amount) * (1 if sign == "+" else -1)
    if key == "tables":
        tables = list(event.tables)
        if n >= 0:
            taken = set(tables)
            extra = (f"T{i:02d}" for i in range(1, 10**5) if f"T{i:02d}" not in taken)
            tables += [next(extra) for _ in range(n)]
        else:
            tables = tables[: max(1, len(tables) + n)]
        return event.model_copy(update={"tables": tables})
    if key == "slots":
        slots = list(event.slots)
        if n < 0:
            return event.model_copy(update={"slots": slots[: max(1, len(slots) + n)]})
        last = slots[-1]
        gap = slots[-1].start - slots[-2].end if len(slots) > 1 else timedelta(0)
        gap = max(gap, timedelta(0))
        for _ in range(n):
            last = Slot(start=last.end + gap, minutes=last.minutes)
            slots.append(last)
        return event.model_copy(update={"slots": slots})
    if key == "floor":
        return event.model_copy(update={"floor": max(0, event.floor + n)})
    role, bound = key.split("_")
    caps_field = f"{role}_caps"
    caps = getattr(event, caps_field)
    if bound == "max":
        current = len(event.slots) if caps.max is None else caps.max
        new_caps = caps.model_copy(update={"max": max(0, current + n)})
    else:
        new_caps = caps.model_copy(update={"min": max(0, caps.min + n)})
    participants = [
        p.model_copy(
            update={
                f"{bound}_meetings": max(0, getattr(p, f"{bound}_meetings") + n)
                if getattr(p, f"{bound}_meetings") is not None
                else None
            }
        )
        if p.role == role
        else p
        for p in event.participants
    ]
    return event.model_copy(update={caps_field: new_caps, "participants": participants})


# Options that only add capacity: the plan stays feasible, so a what-if starts from it and may
# not lose meetings or score. Options that only change a goal (targets, the reserved share)
# leave it feasible too: a what-if starts from it and the goals decide.
_MORE = re.compile(r"^(tables|slots|buyer_max|supplier_max)\+\d+$")
_GOAL = re.compile(r"^(floor|buyer_min|supplier_min)[+-]\d+$|^reserved_share=[0-9.]+$")


def adds_capacity(option: str) -> bool:
    """Whether an option only adds capacity (tables+n, slots+n, buyer_max+n, supplier_max+n),
    so that every plan of the event is still a plan of the changed event."""
    return _MORE.match(option.strip().replace(" ", "")) is not None


def what_if(
    event: Event,
    matches: Sequence[Match],
    requirements: Sequence[Requirement],
    suppliers: Sequence[Supplier],
    options: Sequence[str],
    base: EventPlan | None = None,
) -> list[WhatIf]:
    """Plan once per option and report the change in KPIs against ``base``; writes nothing.

    An option that only adds capacity is planned from ``base`` (its meetings as the solver's
    starting plan and floor), so it never reports fewer meetings or less total score than the
    plan: a solver that stops at its time limit below the plan keeps the plan, and says so. One
    that only changes a goal (floor, minimums, reserved share) starts from ``base`` too, kept
    when the solver ends below it on the changed goals; others start afresh."""
    changed = [apply_option(event, o) for o in options]  # reject bad options before solving
    base = base or plan_event(event, matches, requirements, suppliers)
    out = []
    for option, variant in zip(options, changed, strict=True):
        problems = check_event(variant)
        if problems:  # e.g. 'slots-2' would drop a slot that holds a locked meeting
            out.append(WhatIf(option, {}, {}, -1, f"not possible: {problems[0].message}"))
            continue
        more = adds_capacity(option)
        same = _GOAL.match(option.strip().replace(" ", "")) is not None
        warm = base.meetings if more or same else None
        plan = plan_event(variant, matches, requirements, suppliers, warm, guard=more)
        kpis = {k: plan.kpis[k] for k in WHAT_IF_KEYS}
        delta = {k: round(float(plan.kpis[k]) - float(base.kpis[k]), 4) for k in WHAT_IF_KEYS}
        note = ""
        if plan.kpis["solver"].get("kept_start"):
            note = (
                "the solver stopped at its time limit before improving on the plan; the plan's "
                "meetings are shown (more time_limit_s may find more)"
            )
        out.append(WhatIf(option, kpis, delta, len(plan.short), note, plan))
    return out
