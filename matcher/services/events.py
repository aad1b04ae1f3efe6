"""Trade-fair events of a workspace: describe the day, register participants, plan, lock and
re-plan meetings, hand out the files — the operations the API (and the web pages) call.

The planning itself is matcher.events' (allocation, schedule, agendas); ``plan_meetings`` is the
one "plan, then write the event folder" step that the batch job (`matcher event plan`) and a
workspace plan share. A workspace plan ranks with the live index the service serves; a stored
plan keeps its schedule rows, KPIs and diagnostics in the database, its files under
``events_dir/<event id>/``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from matcher.errors import Conflict, InputDataError, NotFound, Problem
from matcher.events import (
    Event,
    EventPlan,
    Slot,
    WhatIf,
    attending,
    file_name,
    parse_event,
    plan_event,
    profiles_of,
    schedule_rows,
    what_if,
    write_event_outputs,
)
from matcher.events.pdf import render_pdf
from matcher.export import atomic_path
from matcher.schemas import Match, Requirement, Supplier
from matcher.services.access import STAFF
from matcher.services.index import SearchIndex
from matcher.store import ApiKey, EventRecord, Workspace

AgendaFormat = Literal["ics", "html"]
MAX_WHAT_IF = 5  # options a request may try: each one is a plan of its own


def spec_of(event: Event) -> dict[str, Any]:
    """An event as the document the service stores (times in ISO 8601, one slot a line): what
    an uploaded event file (YAML, JSON or XLSX, read by matcher.events) is kept as."""
    doc = event.model_dump(mode="json", by_alias=True, exclude_none=True)
    doc["caps"] = {"buyer": doc.pop("buyer_caps"), "supplier": doc.pop("supplier_caps")}
    doc["slots"] = slot_series(event.slots)
    return doc


def slot_series(slots: Sequence[Slot]) -> list[dict[str, Any]]:
    """Slots as series of equal slots at equal gaps ({start, minutes, count, gap}), so that a
    long day stays within the spec's bound on series."""
    out: list[dict[str, Any]] = []
    last: Slot | None = None
    for slot in slots:
        series = out[-1] if out else None
        gap = (slot.start - last.end).total_seconds() / 60 if last is not None else -1.0
        fits = series is not None and slot.minutes == series["minutes"] and series["count"] < 100
        if fits and series is not None and gap >= 0 and gap == int(gap):
            if series["count"] == 1:
                series["gap"] = int(gap)
            if series["gap"] == gap:
                series["count"] += 1
                last = slot
                continue
        out.append({"start": slot.start.isoformat(), "minutes": slot.minutes, "count": 1, "gap": 0})
        last = slot
    return out


def _lock_problem(message: str, column: str = "meeting_ids") -> InputDataError:
    return InputDataError([Problem("request", None, column, message)])


def plan_meetings(
    event: Event,
    matches: Sequence[Match],
    requirements: Sequence[Requirement],
    suppliers: Sequence[Supplier],
    out: Path,
    pdf: bool = False,
) -> EventPlan:
    """Allocate and schedule the meetings (locked ones stay), then write the event folder (with
    PDF agendas and floor plan when ``pdf``)."""
    plan = plan_event(event, list(matches), list(requirements), list(suppliers))
    write_event_outputs(plan, out, profiles_of(suppliers, requirements), pdf)
    return plan


@dataclass
class Events:
    workspace: Workspace
    index: SearchIndex
    max_plan_seconds: float | None = None  # the service's cap on the solver's time limit

    # -- describing the day ----------------------------------------------------------------------
    def check(self, spec: dict[str, Any]) -> Event:
        """The event the stored spec describes, checked whole (InputDataError: every problem)."""
        event = parse_event(spec, source="event")
        cap = self.max_plan_seconds
        if cap is not None and cap < event.time_limit_s:
            event = event.model_copy(update={"time_limit_s": cap})
        return event

    def create(self, spec: dict[str, Any]) -> EventRecord:
        event = self.check(spec)
        return self.workspace.create_event(f"E-{uuid.uuid4().hex[:12]}", event.name, spec)

    def get(self, event_id: str) -> EventRecord:
        record = self.workspace.event(event_id)
        if record is None:
            raise NotFound("no such event")
        return record

    def add_participants(self, event_id: str, incoming: list[dict[str, Any]]) -> EventRecord:
        """Register (or re-register, by id) participants; the whole event is checked again."""
        record = self.get(event_id)
        new_ids = {p["id"] for p in incoming}
        kept = [p for p in record.spec.get("participants") or [] if p.get("id") not in new_ids]
        return self._respec(record, {**record.spec, "participants": kept + incoming})

    def withdraw(self, event_id: str, participant_id: str) -> EventRecord:
        """A firm no longer coming leaves the event, with its locked meetings and the requests
        and pairs that name it; the event is checked again."""
        record = self.get(event_id)
        spec = record.spec
        if not any(p.get("id") == participant_id for p in spec.get("participants") or []):
            raise _lock_problem(f"no participant {participant_id!r} in the event", "id")

        def keeps(item: dict[str, Any]) -> bool:
            named = (item.get(k) for k in ("id", "buyer", "supplier", "from", "to"))
            return participant_id not in named

        sections = ("participants", "locked", "requests", "declined", "met_before")
        kept = {s: [i for i in spec[s] if keeps(i)] for s in sections if spec.get(s)}
        return self._respec(record, {**spec, **kept})

    def _respec(self, record: EventRecord, spec: dict[str, Any]) -> EventRecord:
        self.check(spec)
        return self.workspace.update_event(record.event_id, spec=spec) or record

    # -- planning --------------------------------------------------------------------------------
    def plan(self, event_id: str, top_k: int) -> dict[str, Any]:
        """Match every participating buyer's requirements with the live index, plan, write the
        files and store the plan (replacing the previous one); returns the stored plan."""
        record = self.get(event_id)
        event = self.check(record.spec)
        requirements, suppliers = attending(
            event, self.workspace.requirements(), self.workspace.suppliers()
        )
        matches = [m for r in requirements for m in self.index.match(r, top_k)]
        out = self.workspace.events_dir / event_id
        result = plan_meetings(event, matches, requirements, suppliers, out)
        stored = {
            "meetings": schedule_rows(result),
            "kpis": result.kpis,
            "diagnostics": result.diagnostics,
        }
        self.workspace.update_event(event_id, plan=stored)
        return stored

    def planned(self, event_id: str) -> dict[str, Any]:
        """The stored plan (Conflict while the event has none)."""
        record = self.get(event_id)
        if record.plan is None:
            raise Conflict("the event has no plan yet: POST …/plan first")
        return record.plan

    def lock(self, event_id: str, meeting_ids: Sequence[str], author: ApiKey) -> EventRecord:
        """Locked meetings keep their slot and table in every later plan; a locked meeting
        counts as confirmed (an "accepted" outcome by ``author``), so the buyer may then see
        the supplier's contact persons."""
        record = self.get(event_id)
        rows = {r["meeting_id"]: r for r in self.planned(event_id)["meetings"]}
        unknown = [m for m in meeting_ids if m not in rows]
        if unknown:
            raise InputDataError(
                [
                    Problem("request", None, "meeting_ids", f"no meeting {m!r} in the plan")
                    for m in unknown
                ]
            )
        locked = list(record.spec.get("locked") or [])
        have = {lk.get("meeting_id") for lk in locked}
        new = [rows[m] for m in dict.fromkeys(meeting_ids) if m not in have]
        locked += [
            {
                "buyer": row["buyer_id"],
                "supplier": row["supplier_id"],
                "slot": row["slot_start"],
                "table": row["table"],
                "interpreter": row["interpreter"] or None,
                "meeting_id": row["meeting_id"],
            }
            for row in new
        ]
        updated = self._respec(record, {**record.spec, "locked": locked})
        for row in new:
            self.workspace.add_feedback(
                outcome="accepted",
                buyer_id=row["buyer_id"],
                supplier_id=row["supplier_id"],
                author=author,
                requirement_id=row["requirement_id"] or None,
                event_id=event_id,
                meeting_id=row["meeting_id"],
                note="meeting locked",
            )
        return updated

    def locked_ids(self, record: EventRecord) -> set[str]:
        """The ids of the planned meetings that are locked (a lock written in an event file
        has no id of its own: it is the planned meeting of its buyer and supplier)."""
        rows = (record.plan or {}).get("meetings") or []
        by_pair = {(r["buyer_id"], r["supplier_id"]): r["meeting_id"] for r in rows}
        out = set()
        for lk in record.spec.get("locked") or []:
            found = lk.get("meeting_id") or by_pair.get((lk.get("buyer"), lk.get("supplier")))
            if found:
                out.add(str(found))
        return out

    def _without_locks(self, record: EventRecord, meeting_ids: set[str]) -> list[dict[str, Any]]:
        """The event's locks but those of these meetings (by id, or by pair for a lock that
        has none)."""
        rows = {r["meeting_id"]: r for r in (record.plan or {}).get("meetings") or []}
        pairs = {(rows[m]["buyer_id"], rows[m]["supplier_id"]) for m in meeting_ids if m in rows}

        def dropped(lk: dict[str, Any]) -> bool:
            if lk.get("meeting_id"):
                return lk["meeting_id"] in meeting_ids
            return (lk.get("buyer"), lk.get("supplier")) in pairs

        return [lk for lk in record.spec.get("locked") or [] if not dropped(lk)]

    def unlock(self, event_id: str, meeting_ids: Sequence[str]) -> EventRecord:
        """The meetings are no longer confirmed: the next plan may move or drop them."""
        record = self.get(event_id)
        wanted = set(meeting_ids)
        unknown = sorted(wanted - self.locked_ids(record))
        if unknown:
            raise _lock_problem(f"meeting {unknown[0]!r} is not locked")
        return self._respec(record, {**record.spec, "locked": self._without_locks(record, wanted)})

    def move(
        self, event_id: str, meeting_id: str, slot_start: str, table: str, top_k: int
    ) -> dict[str, Any]:
        """Lock a planned meeting at another slot (its start, ISO 8601) and table, then plan
        again around it: the other locked meetings stay, the rest may shift. The event's own
        checks refuse a slot or table that does not exist or is taken by a locked meeting."""
        record = self.get(event_id)
        row = next(
            (r for r in self.planned(event_id)["meetings"] if r["meeting_id"] == meeting_id), None
        )
        if row is None:
            raise _lock_problem(f"no meeting {meeting_id!r} in the plan", "meeting_id")
        lock = {
            "buyer": row["buyer_id"],
            "supplier": row["supplier_id"],
            "slot": slot_start,
            "table": table,
            "meeting_id": meeting_id,
        }
        locked = [*self._without_locks(record, {meeting_id}), lock]
        self._respec(record, {**record.spec, "locked": locked})
        return self.plan(event_id, top_k)

    def what_if(self, event_id: str, options: Sequence[str], top_k: int) -> list[WhatIf]:
        """The change in KPIs each option ('tables+5', 'slots+2', 'supplier_max+1', …) would
        make against a plan of the event as it stands; nothing is written."""
        if not options or len(options) > MAX_WHAT_IF:
            raise _lock_problem(f"give 1 to {MAX_WHAT_IF} what-if options", "options")
        event = self.check(self.get(event_id).spec)
        requirements, suppliers = attending(
            event, self.workspace.requirements(), self.workspace.suppliers()
        )
        matches = [m for r in requirements for m in self.index.match(r, top_k)]
        return what_if(event, matches, requirements, suppliers, options)

    # -- files -----------------------------------------------------------------------------------
    def plan_file(self, event_id: str, name: str) -> Path:
        """One of the plan's files (NotFound when it is not there)."""
        self.planned(event_id)
        path = self.workspace.events_dir / event_id / name
        if not path.is_file():
            raise NotFound("no such file")
        return path

    def agenda_pdf(self, key: ApiKey, event_id: str, participant_id: str) -> Path:
        """A participant's agenda as PDF (both languages), rendered from its HTML agenda on the
        first request and kept beside it (a new plan replaces the folder, and so the PDF); the
        same access rule as ``agenda``."""
        page = self.agenda(key, event_id, participant_id, "html")
        path = page.with_suffix(".pdf")
        if not path.is_file():
            data = render_pdf(page.read_text(encoding="utf-8"))
            with atomic_path(path) as tmp:
                tmp.write_bytes(data)
        return path

    def agenda(self, key: ApiKey, event_id: str, participant_id: str, format: AgendaFormat) -> Path:
        """A participant's agenda: organisers fetch anyone's, a buyer or supplier key only its
        own; every other case answers as a missing agenda."""
        own = (key.role == "buyer" and participant_id == key.buyer_id) or (
            key.role == "supplier" and participant_id == key.supplier_id
        )
        record = self.workspace.event(event_id)
        if (key.role not in STAFF and not own) or record is None or record.plan is None:
            raise NotFound("no such agenda")
        folder = "ics" if format == "ics" else "agendas"
        name = f"{file_name(participant_id)}.{format}"
        path = self.workspace.events_dir / event_id / folder / name
        if not path.is_file():
            raise NotFound("no such agenda")
        return path
