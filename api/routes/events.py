"""Trade-fair events: organisers describe the day, register participants, plan and lock
meetings, and download the files; each buyer or supplier fetches its own agenda. The planning
itself is matcher.events.plan's, the files matcher.events.agenda's."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query, status
from fastapi.responses import FileResponse

from api.deps import ContextDep, Organiser, PagingDep, PrincipalDep, keyed_router
from api.models import (
    EventOut,
    LocksIn,
    MeetingOut,
    Page,
    ParticipantsIn,
    PlanIn,
    PlanOut,
    ScheduleOut,
)
from matcher.events import (
    EventSpec,
)
from matcher.store import EventRecord

router = keyed_router("/v1/events", "events")
FileName = Literal["schedule.csv", "schedule.xlsx", "matching_lists.xlsx", "kpis.json"]
MEDIA_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".json": "application/json",
    ".ics": "text/calendar",
    ".html": "text/html",
}


def _binary(*media: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {m: {"schema": {"type": "string"}} for m in media}}}


def _out(record: EventRecord) -> EventOut:
    return EventOut(
        event_id=record.event_id,
        name=record.name,
        participants=len(record.spec.get("participants") or []),
        locked=len(record.spec.get("locked") or []),
        planned=record.plan is not None,
        created_at=record.created_at,
        updated_at=record.updated_at,
        spec=record.spec,
    )


@router.post(
    "", response_model=EventOut, status_code=status.HTTP_201_CREATED, summary="Create an event"
)
def create_event(context: ContextDep, key: Organiser, body: EventSpec) -> EventOut:
    spec = body.model_dump(mode="json", by_alias=True, exclude_none=True)
    return _out(context.events.create(spec))


@router.get("", response_model=Page[EventOut], summary="List events")
def list_events(context: ContextDep, key: Organiser, paging: PagingDep) -> Page[EventOut]:
    records, total = context.workspace.page_events(paging.offset, paging.page_size)
    return Page(data=[_out(r) for r in records], count=total)


@router.get("/{event_id}", response_model=EventOut, summary="One event")
def get_event(context: ContextDep, key: Organiser, event_id: str) -> EventOut:
    return _out(context.events.get(event_id))


@router.post("/{event_id}/participants", response_model=EventOut, summary="Register participants")
def add_participants(
    context: ContextDep, key: Organiser, event_id: str, body: ParticipantsIn
) -> EventOut:
    incoming = [p.model_dump(mode="json", exclude_none=True) for p in body.participants]
    return _out(context.events.add_participants(event_id, incoming))


@router.post("/{event_id}/plan", response_model=PlanOut, summary="Plan the meetings")
def plan(context: ContextDep, key: Organiser, event_id: str, body: PlanIn) -> PlanOut:
    """Match every participating buyer's requirements, allocate and schedule meetings (locked
    meetings stay), write the files; replaces the previous plan."""
    stored = context.events.plan(event_id, body.top_k)
    kpis, diagnostics = stored["kpis"], stored["diagnostics"]
    meetings = len(stored["meetings"])
    return PlanOut(event_id=event_id, meetings=meetings, kpis=kpis, diagnostics=diagnostics)


def _meeting(row: dict[str, Any]) -> MeetingOut:
    return MeetingOut.model_validate({**row, "locked": row.get("locked") == "yes"})


@router.get("/{event_id}/schedule", response_model=ScheduleOut, summary="The planned meetings")
def schedule(context: ContextDep, key: Organiser, event_id: str, paging: PagingDep) -> ScheduleOut:
    stored = context.events.planned(event_id)
    rows = stored["meetings"]
    chunk = rows[paging.offset : paging.offset + paging.page_size]
    return ScheduleOut(
        data=[_meeting(r) for r in chunk],
        count=len(rows),
        kpis=stored["kpis"],
        diagnostics=stored["diagnostics"],
    )


@router.post("/{event_id}/locks", response_model=EventOut, summary="Lock (confirm) meetings")
def lock_meetings(context: ContextDep, key: Organiser, event_id: str, body: LocksIn) -> EventOut:
    """Locked meetings keep their slot and table in every later plan; a locked meeting counts
    as confirmed, so the buyer may then see the supplier's contact persons."""
    return _out(context.events.lock(event_id, body.meeting_ids, key))


@router.get(
    "/{event_id}/files/{name}",
    response_class=FileResponse,
    summary="Download a plan file",
    responses=_binary(*(MEDIA_TYPES[s] for s in (".csv", ".xlsx", ".json"))),
)
def download(context: ContextDep, key: Organiser, event_id: str, name: FileName) -> FileResponse:
    path = context.events.plan_file(event_id, name)
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], filename=f"{event_id}-{name}")


@router.get(
    "/{event_id}/agendas/{participant_id}",
    response_class=FileResponse,
    summary="One participant's agenda (ICS calendar or printable HTML)",
    responses=_binary(MEDIA_TYPES[".ics"], MEDIA_TYPES[".html"]),
)
def participant_agenda(
    context: ContextDep,
    key: PrincipalDep,
    event_id: str,
    participant_id: str,
    format: Annotated[Literal["ics", "html"], Query()] = "ics",
) -> FileResponse:
    """Organisers fetch anyone's; a buyer or supplier key only its own (others: 404)."""
    path = context.events.agenda(key, event_id, participant_id, format)
    return FileResponse(path, media_type=MEDIA_TYPES[f".{format}"], filename=path.name)
