"""Meetings at a trade fair: the event file, allocation, scheduling, planning and the exports.

(Provisional: the modules are split by concern in the next commits.)
"""

from __future__ import annotations

from matcher.events.agenda import (
    SCHEDULE_COLUMNS,
    agenda_html,
    agenda_ics,
    file_name,
    schedule_rows,
    what_if_rows,
    write_event_outputs,
)
from matcher.events.check import check_against_register, check_event, participants_of
from matcher.events.event import (
    Caps,
    Event,
    Interpreter,
    LockedMeeting,
    MeetingRequest,
    PairRef,
    Participant,
    Slot,
    Window,
)
from matcher.events.plan import (
    EventPlan,
    Firm,
    Meeting,
    WhatIf,
    apply_option,
    plan_event,
    plan_from_files,
    prepare_event,
    replan_event,
    what_if,
)
from matcher.events.reader import load_event, load_locked
from matcher.events.resolve import parse_event, with_locked
from matcher.events.spec import (
    DEFAULT_PRIORITIES,
    CapsSpec,
    EventDocument,
    EventSpec,
    InterpreterSpec,
    LockedSpec,
    PairSpec,
    ParticipantSpec,
    PriorityTier,
    RequestSpec,
    RoleCapsSpec,
    SlotSpec,
    WindowSpec,
)

__all__ = [
    "DEFAULT_PRIORITIES",
    "SCHEDULE_COLUMNS",
    "Caps",
    "CapsSpec",
    "Event",
    "EventDocument",
    "EventPlan",
    "EventSpec",
    "Firm",
    "Interpreter",
    "InterpreterSpec",
    "LockedMeeting",
    "LockedSpec",
    "Meeting",
    "MeetingRequest",
    "PairRef",
    "PairSpec",
    "Participant",
    "ParticipantSpec",
    "PriorityTier",
    "RequestSpec",
    "RoleCapsSpec",
    "Slot",
    "SlotSpec",
    "WhatIf",
    "Window",
    "WindowSpec",
    "agenda_html",
    "agenda_ics",
    "apply_option",
    "check_against_register",
    "check_event",
    "file_name",
    "load_event",
    "load_locked",
    "parse_event",
    "participants_of",
    "plan_event",
    "plan_from_files",
    "prepare_event",
    "replan_event",
    "schedule_rows",
    "what_if",
    "what_if_rows",
    "with_locked",
    "write_event_outputs",
]
