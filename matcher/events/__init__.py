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
from matcher.events.reader import (
    Caps,
    Event,
    Interpreter,
    LockedMeeting,
    MeetingRequest,
    PairRef,
    Participant,
    Slot,
    Window,
    check_against_register,
    check_event,
    load_event,
    load_locked,
    parse_event,
    with_locked,
)

__all__ = [
    "SCHEDULE_COLUMNS",
    "Caps",
    "Event",
    "EventPlan",
    "Firm",
    "Interpreter",
    "LockedMeeting",
    "Meeting",
    "MeetingRequest",
    "PairRef",
    "Participant",
    "Slot",
    "WhatIf",
    "Window",
    "agenda_html",
    "agenda_ics",
    "apply_option",
    "check_against_register",
    "check_event",
    "file_name",
    "load_event",
    "load_locked",
    "parse_event",
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
