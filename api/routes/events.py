"""Trade-fair events: organisers describe the day, register participants, plan and lock
meetings, and download the files; each buyer or supplier fetches its own agenda. The planning
itself is matcher.events.plan's, the files matcher.events.agenda's."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import HTTPException, Query, status
from fastapi.responses import FileResponse

from api.deps import Context, ContextDep, Organiser, PagingDep, PrincipalDep, keyed_router
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
from matcher.errors import InputDataError, Problem
from matcher.events import (
    Event,
    EventSpec,
    attending,
    file_name,
    parse_event,
    plan_event,
    schedule_rows,
    write_event_outputs,
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


def _check(spec: dict[str, Any], context: Context | None = None) -> Event:
    """The event the spec describes, checked whole (422 with every problem)."""
    event = parse_event(spec, source="event")
    if context is not None and context.api.max_plan_seconds < event.time_limit_s:
        event = event.model_copy(update={"time_limit_s": context.api.max_plan_seconds})
    return event


def _record(context: Context, event_id: str) -> EventRecord:
    record = context.workspace.event(event_id)
    if record is None:
        raise HTTPException(404, "no such event")
    return record


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


def _planned(record: EventRecord) -> dict[str, Any]:
    if record.plan is None:
        raise HTTPException(409, "the event has no plan yet: POST …/plan first")
    return record.plan


@router.post(
    "", response_model=EventOut, status_code=status.HTTP_201_CREATED, summary="Create an event"
)
def create_event(context: ContextDep, key: Organiser, body: EventSpec) -> EventOut:
    spec = body.model_dump(mode="json", by_alias=True, exclude_none=True)
    event = _check(spec)
    record = context.workspace.create_event(f"E-{uuid.uuid4().hex[:12]}", event.name, spec)
    return _out(record)


@router.get("", response_model=Page[EventOut], summary="List events")
def list_events(context: ContextDep, key: Organiser, paging: PagingDep) -> Page[EventOut]:
    records, total = context.workspace.page_events(paging.offset, paging.page_size)
    return Page(data=[_out(r) for r in records], count=total)


@router.get("/{event_id}", response_model=EventOut, summary="One event")
def get_event(context: ContextDep, key: Organiser, event_id: str) -> EventOut:
    return _out(_record(context, event_id))


@router.post("/{event_id}/participants", response_model=EventOut, summary="Register participants")
def add_participants(
    context: ContextDep, key: Organiser, event_id: str, body: ParticipantsIn
) -> EventOut:
    record = _record(context, event_id)
    incoming = [p.model_dump(mode="json", exclude_none=True) for p in body.participants]
    new_ids = {p["id"] for p in incoming}
    kept = [p for p in record.spec.get("participants") or [] if p.get("id") not in new_ids]
    spec = {**record.spec, "participants": kept + incoming}
    _check(spec)
    updated = context.workspace.update_event(event_id, spec=spec)
    return _out(updated or record)


@router.post("/{event_id}/plan", response_model=PlanOut, summary="Plan the meetings")
def plan(context: ContextDep, key: Organiser, event_id: str, body: PlanIn) -> PlanOut:
    """Match every participating buyer's requirements, allocate and schedule meetings (locked
    meetings stay), write the files; replaces the previous plan."""
    record = _record(context, event_id)
    event = _check(record.spec, context)
    requirements, suppliers = attending(
        event, context.workspace.requirements(), context.workspace.suppliers()
    )
    matches = [m for r in requirements for m in context.index.match(r, body.top_k)]
    result = plan_event(event, matches, requirements, suppliers)
    write_event_outputs(result, context.workspace.events_dir / event_id)
    kpis, diagnostics = result.kpis, result.diagnostics
    stored = {"meetings": schedule_rows(result), "kpis": kpis, "diagnostics": diagnostics}
    context.workspace.update_event(event_id, plan=stored)
    return PlanOut(
        event_id=event_id, meetings=len(result.meetings), kpis=kpis, diagnostics=diagnostics
    )


def _meeting(row: dict[str, Any]) -> MeetingOut:
    return MeetingOut.model_validate({**row, "locked": row.get("locked") == "yes"})


@router.get("/{event_id}/schedule", response_model=ScheduleOut, summary="The planned meetings")
def schedule(context: ContextDep, key: Organiser, event_id: str, paging: PagingDep) -> ScheduleOut:
    stored = _planned(_record(context, event_id))
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
    record = _record(context, event_id)
    rows = {r["meeting_id"]: r for r in _planned(record)["meetings"]}
    unknown = [m for m in body.meeting_ids if m not in rows]
    if unknown:
        raise InputDataError(
            [
                Problem("request", None, "meeting_ids", f"no meeting {m!r} in the plan")
                for m in unknown
            ]
        )
    locked = list(record.spec.get("locked") or [])
    have = {lk.get("meeting_id") for lk in locked}
    for meeting_id in dict.fromkeys(body.meeting_ids):
        if meeting_id in have:
            continue
        row = rows[meeting_id]
        locked.append(
            {
                "buyer": row["buyer_id"],
                "supplier": row["supplier_id"],
                "slot": row["slot_start"],
                "table": row["table"],
                "interpreter": row["interpreter"] or None,
                "meeting_id": meeting_id,
            }
        )
    spec = {**record.spec, "locked": locked}
    _check(spec)
    updated = context.workspace.update_event(event_id, spec=spec)
    for meeting_id in dict.fromkeys(body.meeting_ids):
        if meeting_id in have:
            continue
        row = rows[meeting_id]
        context.workspace.add_feedback(
            outcome="accepted",
            buyer_id=row["buyer_id"],
            supplier_id=row["supplier_id"],
            author=key,
            requirement_id=row["requirement_id"] or None,
            event_id=event_id,
            meeting_id=meeting_id,
            note="meeting locked",
        )
    return _out(updated or record)


@router.get(
    "/{event_id}/files/{name}",
    response_class=FileResponse,
    summary="Download a plan file",
    responses=_binary(*(MEDIA_TYPES[s] for s in (".csv", ".xlsx", ".json"))),
)
def download(context: ContextDep, key: Organiser, event_id: str, name: FileName) -> FileResponse:
    _planned(_record(context, event_id))
    path = context.workspace.events_dir / event_id / name
    if not path.is_file():
        raise HTTPException(404, "no such file")
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
    own = (key.role == "buyer" and participant_id == key.buyer_id) or (
        key.role == "supplier" and participant_id == key.supplier_id
    )
    if key.role not in ("admin", "organiser") and not own:
        raise HTTPException(404, "no such agenda")
    record = context.workspace.event(event_id)
    if record is None or record.plan is None:
        raise HTTPException(404, "no such agenda")
    folder = "ics" if format == "ics" else "agendas"
    path = (
        context.workspace.events_dir / event_id / folder / f"{file_name(participant_id)}.{format}"
    )
    if not path.is_file():
        raise HTTPException(404, "no such agenda")
    return FileResponse(path, media_type=MEDIA_TYPES[f".{format}"], filename=path.name)
