"""Meeting requests between the planned rounds: a buyer asks a supplier to meet at an event, the
supplier accepts or declines, and the answer feeds the next plan.

- A buyer sees the events it takes part in (name, date, place: not the organisers' view), asks
  only suppliers registered for that event, once a pair and event (a declined request is not
  asked again), and sees only its own requests; another buyer's request answers as a missing
  one (NotFound).
- A supplier sees the requests made to it and answers each once. Accepting makes the pair a
  mutual request in the event (both sides asked: the planner's ``mutual_requests`` priority)
  and counts as a confirmed meeting (an "accepted" outcome by the supplier, which lets the
  buyer see its contact persons); declining adds the pair to the event's ``declined`` list, so
  no plan pairs them. Every step is also recorded as an outcome (feedback) for the ranker.
- The supplier's agenda: its meetings in each event's stored plan, and accepted requests the
  organisers have not planned yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matcher.errors import Conflict, Forbidden, NotFound
from matcher.services.access import STAFF, owned_requirement, request_problem
from matcher.services.events import Events
from matcher.services.shortlist import buyer_of
from matcher.store import ApiKey, EventRecord, MeetingRequest, RequestStatus, Workspace

MAX_MESSAGE = 2000
MAX_EVENTS = 1000  # events a party is shown (a workspace holds a programme's few events)


def takes_part(record: EventRecord, party_id: str, role: str) -> bool:
    """Whether a buyer or supplier is registered for the event (an event listing no
    participants takes the whole register)."""
    participants = record.spec.get("participants") or []
    if not participants:
        return True
    return any(p.get("id") == party_id and p.get("role") == role for p in participants)


@dataclass
class AgendaEntry:
    """One line of a supplier's agenda: a planned meeting, or an accepted request not yet
    planned (no slot)."""

    event: EventRecord
    buyer_id: str
    buyer_name: str
    slot_start: str | None
    slot_end: str | None
    table: str | None
    meeting_id: str | None
    request_id: int | None


@dataclass
class Meetings:
    workspace: Workspace
    events: Events

    def events_for(self, key: ApiKey) -> list[EventRecord]:
        """The events the key's buyer or supplier takes part in (every event for staff)."""
        records, _ = self.workspace.page_events(0, MAX_EVENTS)
        if key.role in STAFF:
            return records
        party = key.buyer_id if key.role == "buyer" else key.supplier_id
        return [r for r in records if takes_part(r, party or "", key.role)]

    def request(
        self,
        key: ApiKey,
        event_id: str,
        supplier_id: str,
        requirement_id: str | None = None,
        message: str = "",
    ) -> MeetingRequest:
        """A buyer's request to meet a supplier at an event it takes part in."""
        buyer = buyer_of(key)
        record = self.workspace.event(event_id)
        if record is None or not takes_part(record, buyer, "buyer"):
            raise NotFound("no such event")
        if self.workspace.supplier(supplier_id) is None:
            raise NotFound("no such supplier")
        if not takes_part(record, supplier_id, "supplier"):
            raise request_problem("supplier_id", "this supplier is not registered for the event")
        if requirement_id:
            owned_requirement(self.workspace, key, requirement_id)
        for earlier in self.workspace.meeting_requests(buyer_id=buyer, event_id=event_id):
            if earlier.supplier_id == supplier_id:
                raise Conflict(
                    "you have asked this supplier for a meeting at this event already "
                    f"({earlier.status})"
                )
        made = self.workspace.add_meeting_request(
            event_id, buyer, supplier_id, requirement_id or None, message.strip()[:MAX_MESSAGE]
        )
        self.workspace.add_feedback(
            outcome="requested",
            buyer_id=buyer,
            supplier_id=supplier_id,
            author=key,
            requirement_id=requirement_id or None,
            event_id=event_id,
            note="meeting request",
        )
        return made

    def of_buyer(self, key: ApiKey) -> list[MeetingRequest]:
        return self.workspace.meeting_requests(buyer_id=buyer_of(key))

    def of_supplier(self, key: ApiKey) -> list[MeetingRequest]:
        return self.workspace.meeting_requests(supplier_id=supplier_of(key))

    def get(self, key: ApiKey, request_id: int) -> MeetingRequest:
        """A request the key may see: its own buyer's or made to its supplier (staff: all)."""
        found = self.workspace.meeting_request(request_id)
        mine = found is not None and (
            key.role in STAFF
            or (key.role == "buyer" and found.buyer_id == key.buyer_id)
            or (key.role == "supplier" and found.supplier_id == key.supplier_id)
        )
        if found is None or not mine:
            raise NotFound("no such meeting request")
        return found

    def answer(self, key: ApiKey, request_id: int, accept: bool) -> MeetingRequest:
        """The supplier's answer, once; the event is updated for the next plan."""
        supplier = supplier_of(key)
        found = self.get(key, request_id)
        record = self.events.get(found.event_id)
        spec = answered_spec(record.spec, found.buyer_id, supplier, accept)
        self.events.check(spec)  # the event stays valid before anything is written
        status: RequestStatus = "accepted" if accept else "declined"
        if not self.workspace.answer_meeting_request(request_id, status):
            raise Conflict(f"this request was answered already ({found.status})")
        self.workspace.update_event(record.event_id, spec=spec)
        self.workspace.add_feedback(
            outcome=status,
            buyer_id=found.buyer_id,
            supplier_id=supplier,
            author=key,
            requirement_id=found.requirement_id,
            event_id=found.event_id,
            note="meeting request answered",
        )
        return self.get(key, request_id)

    def supplier_agenda(self, key: ApiKey) -> list[AgendaEntry]:
        """The supplier's planned meetings, then its accepted requests not yet planned."""
        supplier = supplier_of(key)
        entries: list[AgendaEntry] = []
        planned: set[tuple[str, str]] = set()
        for record in self.events_for(key):
            for row in (record.plan or {}).get("meetings") or []:
                if row.get("supplier_id") == supplier:
                    planned.add((record.event_id, row["buyer_id"]))
                    entries.append(
                        AgendaEntry(
                            record,
                            row["buyer_id"],
                            row.get("buyer_name") or row["buyer_id"],
                            row["slot_start"],
                            row["slot_end"],
                            row["table"],
                            row["meeting_id"],
                            None,
                        )
                    )
        entries.sort(key=lambda e: (e.event.event_id, e.slot_start or ""))
        events = {r.event_id: r for r in self.events_for(key)}
        for req in self.of_supplier(key):
            unplanned = (req.event_id, req.buyer_id) not in planned
            if req.status == "accepted" and unplanned and req.event_id in events:
                entry = AgendaEntry(
                    events[req.event_id],
                    req.buyer_id,
                    req.buyer_id,
                    None,
                    None,
                    None,
                    None,
                    req.request_id,
                )
                entries.append(entry)
        return entries


def supplier_of(key: ApiKey) -> str:
    if key.role != "supplier" or not key.supplier_id:
        raise Forbidden("only a supplier key answers meeting requests")
    return key.supplier_id


def answered_spec(spec: dict[str, Any], buyer: str, supplier: str, accept: bool) -> dict[str, Any]:
    """The event spec with the answer in it: a mutual request, or a declined pair."""
    if accept:
        requests = list(spec.get("requests") or [])
        for pair in ({"from": buyer, "to": supplier}, {"from": supplier, "to": buyer}):
            if pair not in requests:
                requests.append(pair)
        return {**spec, "requests": requests}
    declined = list(spec.get("declined") or [])
    pair = {"buyer": buyer, "supplier": supplier}
    return {**spec, "declined": declined if pair in declined else [*declined, pair]}
