"""A participant's meetings as an iCalendar file (RFC 5545).

Times are written in the event's time zone (``DTSTART;TZID=Asia/Ho_Chi_Minh:…``) with the
VTIMEZONE block that RFC 5545 §3.6.5 requires for every TZID used; without it some calendar apps
guess the zone and show the wrong hour. The block is built by icalendar from the zone database
for the event's days. A time whose zone has no name (a fixed offset) is written in UTC, which
needs no block."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from matcher.events.lists import by_firm, file_name, interpreter_name
from matcher.events.result import EventPlan
from matcher.export import clean_text


def _when(value: datetime) -> datetime:
    """A time as written: kept in a named zone (which gets a VTIMEZONE), else in UTC."""
    return value if isinstance(value.tzinfo, ZoneInfo) else value.astimezone(UTC)


def agenda_ics(plan: EventPlan, participant_id: str) -> bytes:
    """An iCalendar file with one VEVENT per meeting of the participant, and a VTIMEZONE for
    each time zone its times name."""
    from icalendar import Calendar, Timezone
    from icalendar import Event as IcsEvent

    firm = plan.firms[participant_id]
    cal = Calendar()
    cal.add("prodid", "-//CNHT Matcher//events//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", clean_text(f"{plan.event.name} – {firm.name}"))
    stamp = datetime.now(UTC).replace(microsecond=0)
    own = by_firm(plan).get(participant_id, [])
    zones: dict[str, tuple[ZoneInfo, datetime, datetime]] = {}
    for m in own:
        partner = m.supplier_id if firm.role == "buyer" else m.buyer_id
        start, end = _when(m.slot_start), _when(m.slot_end)
        if isinstance(start.tzinfo, ZoneInfo):
            zone = start.tzinfo
            first, last = zones.get(zone.key, (zone, start, end))[1:]
            zones[zone.key] = (zone, min(first, start), max(last, end))
        item = IcsEvent()
        item.add("uid", f"{m.meeting_id}-{file_name(participant_id)}@cnht-matcher")
        item.add("dtstamp", stamp)
        item.add("dtstart", start)
        item.add("dtend", end)
        item.add(
            "summary", clean_text(f"B2B meeting: {plan.firms[partner].name} (table {m.table})")
        )
        where = f"Table {m.table}" + (f", {plan.event.location}" if plan.event.location else "")
        item.add("location", clean_text(where))
        notes = [f"Meeting {m.meeting_id} with {partner}"]
        title = plan.requirement_titles.get(m.requirement_id, "")
        if title:
            notes.append(f"Requirement: {title}")
        if m.interpreter:
            notes.append(f"Interpreter: {interpreter_name(plan, m.interpreter)}")
        if m.explanation:
            notes.append(m.explanation)
        item.add("description", clean_text("\n".join(notes)))
        cal.add_component(item)
    # The zone blocks go first: RFC 5545 does not demand an order, but readers that parse in
    # one pass (several phone calendars) resolve a TZID only against blocks already read.
    blocks = [
        Timezone.from_tzinfo(zone, first_date=first.date(), last_date=(last + timedelta(1)).date())
        for zone, first, last in zones.values()
    ]
    cal.subcomponents[:0] = blocks
    return bytes(cal.to_ical())
