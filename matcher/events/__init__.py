"""Meetings at a trade fair: from an event file (or the API's event) to a conflict-free plan of
buyer–supplier meetings and the files organisers and firms use (docs/events.md).

The data flows one way, one concern a module::

    spec        EventSpec: the event format, shared by event files and the API
    reader      YAML / JSON / XLSX files (and a re-plan's locked meetings) → plain documents
    resolve     document → EventDocument → Event (times, slot series, tables), every problem
                with its file, row and field
    event       Event: the event as the planner sees it
    check       consistency inside the event and against the register
    plan        Event + register + matches → MeetingProblem (firms, candidate pairs, locks)
    problem     MeetingProblem, Allocation, Placement: plain ids and indices
    allocation  which pairs meet (min-cost flow / CP-SAT, priorities lexicographic)
    schedule    when and at which table (bipartite edge colouring, or the joint slot model)
    solver      the exact method for what binds
    result      EventPlan: meetings, firms, KPIs, diagnostics
    diagnostics why firms are left short, in words
    kpis        the programme's numbers (kpis.json)
    replan      plan again keeping locked meetings; what-if options
    agenda      the event folder: schedule, lists, agendas (vi + en), ICS, floor plan, KPIs
    lists       schedule.xlsx and matching_lists.xlsx (cover sheet, real date-times)
    profiles    the counterpart's public profile line and, where allowed, contact
    ics         ICS calendars with their VTIMEZONE
    floorplan   the slot × table grid, a page per slot
    pdf         agendas and floor plan as PDF (WeasyPrint), from the same HTML
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
from matcher.events.allocation import (
    allocate,
    build_allocation_model,
    flow_allocate,
    reserved_meetings,
    solve,
)
from matcher.events.check import (
    attending,
    check_against_register,
    check_event,
    participants_of,
)
from matcher.events.diagnostics import diagnose
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
    available_slots,
)
from matcher.events.floorplan import floorplan_html
from matcher.events.kpis import compute_kpis
from matcher.events.pdf import agenda_pdf, check_pdf_available, floorplan_pdf
from matcher.events.plan import (
    build_context,
    language_code,
    plan_event,
    plan_from_files,
    prepare_event,
)
from matcher.events.problem import (
    Allocation,
    Bounds,
    CandidatePair,
    Fixed,
    MeetingProblem,
    Placement,
    RequestKind,
    TierResult,
)
from matcher.events.profiles import Profile, profiles_of
from matcher.events.reader import EVENT_SUFFIXES, load_event, load_locked
from matcher.events.replan import WhatIf, apply_option, replan_event, what_if
from matcher.events.resolve import parse_event, with_locked
from matcher.events.result import EventPlan, Firm, Meeting, PlanContext
from matcher.events.schedule import (
    colour_edges,
    colour_schedule,
    equalise,
    place,
    slots_lower_bound,
)
from matcher.events.solver import solve_problem
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
    Role,
    RoleCapsSpec,
    SlotSpec,
    WindowSpec,
)

__all__ = [
    "DEFAULT_PRIORITIES",
    "EVENT_SUFFIXES",
    "SCHEDULE_COLUMNS",
    "Allocation",
    "Bounds",
    "CandidatePair",
    "Caps",
    "CapsSpec",
    "Event",
    "EventDocument",
    "EventPlan",
    "EventSpec",
    "Firm",
    "Fixed",
    "Interpreter",
    "InterpreterSpec",
    "LockedMeeting",
    "LockedSpec",
    "Meeting",
    "MeetingProblem",
    "MeetingRequest",
    "PairRef",
    "PairSpec",
    "Participant",
    "ParticipantSpec",
    "Placement",
    "PlanContext",
    "PriorityTier",
    "Profile",
    "RequestKind",
    "RequestSpec",
    "Role",
    "RoleCapsSpec",
    "Slot",
    "SlotSpec",
    "TierResult",
    "WhatIf",
    "Window",
    "WindowSpec",
    "agenda_html",
    "agenda_ics",
    "agenda_pdf",
    "allocate",
    "apply_option",
    "attending",
    "available_slots",
    "build_allocation_model",
    "build_context",
    "check_against_register",
    "check_event",
    "check_pdf_available",
    "colour_edges",
    "colour_schedule",
    "compute_kpis",
    "diagnose",
    "equalise",
    "file_name",
    "floorplan_html",
    "floorplan_pdf",
    "flow_allocate",
    "language_code",
    "load_event",
    "load_locked",
    "parse_event",
    "participants_of",
    "place",
    "plan_event",
    "plan_from_files",
    "prepare_event",
    "profiles_of",
    "replan_event",
    "reserved_meetings",
    "schedule_rows",
    "slots_lower_bound",
    "solve",
    "solve_problem",
    "what_if",
    "what_if_rows",
    "with_locked",
    "write_event_outputs",
]
