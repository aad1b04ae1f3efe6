"""Consistency checks of an event: inside the event (slots, caps, ids, locked meetings) and
against the register (every id a buyer of the requirements or a registered supplier). Each check
lists every problem it finds with the file and row it was written at; none stops at the first."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from matcher.errors import InputDataError, Problem
from matcher.events.event import (
    Event,
    Interpreter,
    Item,
    LockedMeeting,
    Participant,
    available_slots,
    participant_max,
)
from matcher.events.spec import Role
from matcher.normalise import buyer_id_of
from matcher.schemas import Requirement, Supplier


@dataclass
class _Report:
    """The problems found so far, each placed where its item was written."""

    event: Event
    problems: list[Problem] = field(default_factory=list)

    def add(self, item: Item | None, section: str, column: str | None, message: str) -> None:
        file, row = (
            self.event.where(item, section) if item is not None else (self.event.source, None)
        )
        self.problems.append(Problem(file, row, column, message))


@dataclass
class _Participants:
    """The listed participants by id, to check the ids the other sections name."""

    ids: dict[str, Participant]
    report: _Report

    def known(self, item: Item, section: str, column: str, pid: str, role: Role | None) -> bool:
        if not self.ids:
            return True  # everyone in the register takes part; checked against the register
        p = self.ids.get(pid)
        if p is None:
            self.report.add(
                item, section, column, f"unknown participant {pid!r} (not in 'participants')"
            )
            return False
        if role is not None and p.role != role:
            self.report.add(item, section, column, f"{pid!r} is a {p.role}, expected a {role}")
            return False
        return True


@dataclass
class _Bookings:
    """What the locked meetings checked so far hold: who and which table is busy in a slot."""

    busy: set[tuple[str, str, int]] = field(default_factory=set)
    interpreters: set[tuple[str, int]] = field(default_factory=set)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    per_participant: Counter[str] = field(default_factory=Counter)


def check_event(event: Event) -> list[Problem]:
    """Every inconsistency inside an event (the register is checked by check_against_register)."""
    report = _Report(event)
    _check_settings(event, report)
    participants = _check_participants(event, report)
    _check_references(event, participants)
    interpreters = _check_interpreters(event, report)
    bookings = _check_locked(event, participants, interpreters, report)
    _check_locked_caps(event, participants, bookings, report)
    return report.problems


def _check_settings(event: Event, report: _Report) -> None:
    if not event.slots:
        report.add(None, "slots", "slots", "no slots: add at least one (start, minutes)")
    ordered = sorted(event.slots, key=lambda s: s.start)
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            report.add(
                after,
                "slots",
                "start",
                f"slot {after.start.isoformat()} overlaps slot {before.start.isoformat()}–"
                f"{before.end.time().isoformat('minutes')}",
            )
    if not event.tables:
        report.add(None, "event", "tables", "no tables")
    for role, caps in (("buyer", event.buyer_caps), ("supplier", event.supplier_caps)):
        if caps.max is not None and caps.min > caps.max:
            report.add(
                None, "event", f"{role}_min", f"{role} min {caps.min} exceeds max {caps.max}"
            )
    if len(set(event.priorities)) != len(event.priorities):
        report.add(None, "event", "priorities", "a priority is listed twice")


def _check_participants(event: Event, report: _Report) -> _Participants:
    ids: dict[str, Participant] = {}
    for p in event.participants:
        if p.id in ids:
            report.add(p, "participants", "id", f"participant {p.id!r} is listed twice")
        ids[p.id] = p
        if (
            p.min_meetings is not None
            and p.max_meetings is not None
            and p.min_meetings > p.max_meetings
        ):
            report.add(p, "participants", "min_meetings", "min_meetings exceeds max_meetings")
        if p.available and not available_slots(p.available, event.slots):
            report.add(
                p, "participants", "available", "no slot lies inside the availability windows"
            )
    return _Participants(ids, report)


def _check_references(event: Event, participants: _Participants) -> None:
    """Requests, declined and met-before pairs name listed participants of the right roles."""
    for req in event.requests:
        ok = participants.known(req, "requests", "from", req.from_id, None)
        ok &= participants.known(req, "requests", "to", req.to_id, None)
        ids = participants.ids
        if ok and ids and ids[req.from_id].role == ids[req.to_id].role:
            participants.report.add(
                req, "requests", "to", "a request must go from a buyer to a supplier or back"
            )
    for section, pairs in (("declined", event.declined), ("met_before", event.met_before)):
        for pair in pairs:
            participants.known(pair, section, "buyer", pair.buyer, "buyer")
            participants.known(pair, section, "supplier", pair.supplier, "supplier")


def _check_interpreters(event: Event, report: _Report) -> dict[str, Interpreter]:
    interpreters: dict[str, Interpreter] = {}
    for interpreter in event.interpreters:
        if interpreter.id in interpreters:
            report.add(interpreter, "interpreters", "id", f"interpreter {interpreter.id!r} twice")
        interpreters[interpreter.id] = interpreter
    return interpreters


def _check_locked(
    event: Event,
    participants: _Participants,
    interpreters: dict[str, Interpreter],
    report: _Report,
) -> _Bookings:
    """Each locked meeting fits: its slot and table exist, nobody is in two at once, the pair is
    not declined, the interpreter is known and free, both firms are available then."""
    declined = {(d.buyer, d.supplier) for d in event.declined}
    bookings = _Bookings()
    for lock in event.locked:
        ok = participants.known(lock, "locked", "buyer", lock.buyer, "buyer")
        ok &= participants.known(lock, "locked", "supplier", lock.supplier, "supplier")
        slot = event.slot_index(lock.slot)
        if slot is None:
            report.add(lock, "locked", "slot", f"no slot starts at {lock.slot.isoformat()}")
            continue
        _check_lock_place(event, lock, slot, declined, bookings, report)
        _check_lock_interpreter(event, lock, slot, interpreters, bookings, report)
        if not ok:
            continue
        bookings.per_participant[lock.buyer] += 1
        bookings.per_participant[lock.supplier] += 1
        for pid in (lock.buyer, lock.supplier):
            who = participants.ids.get(pid)
            if who is not None and slot not in available_slots(who.available, event.slots):
                report.add(
                    lock, "locked", "slot", f"{pid!r} is not available at {lock.slot.isoformat()}"
                )
    return bookings


def _check_lock_place(
    event: Event,
    lock: LockedMeeting,
    slot: int,
    declined: set[tuple[str, str]],
    bookings: _Bookings,
    report: _Report,
) -> None:
    if lock.table not in event.tables:
        report.add(lock, "locked", "table", f"no table {lock.table!r}")
    pair = (lock.buyer, lock.supplier)
    if pair in declined:
        report.add(lock, "locked", "supplier", "this pair is also listed as declined")
    if pair in bookings.pairs:
        report.add(lock, "locked", "supplier", "this pair is locked twice")
    bookings.pairs.add(pair)
    for key, column in ((lock.buyer, "buyer"), (lock.supplier, "supplier"), (lock.table, "table")):
        if (column, key, slot) in bookings.busy:
            report.add(
                lock, "locked", column, f"{key!r} is already in a locked meeting in this slot"
            )
        bookings.busy.add((column, key, slot))


def _check_lock_interpreter(
    event: Event,
    lock: LockedMeeting,
    slot: int,
    interpreters: dict[str, Interpreter],
    bookings: _Bookings,
    report: _Report,
) -> None:
    assigned = lock.interpreter
    if assigned is None:
        return
    interpreter = interpreters.get(assigned)
    if interpreter is None:
        report.add(lock, "locked", "interpreter", f"unknown interpreter {assigned!r}")
    elif slot not in available_slots(interpreter.available, event.slots):
        report.add(lock, "locked", "interpreter", f"{assigned!r} is not available then")
    elif (assigned, slot) in bookings.interpreters:
        report.add(lock, "locked", "interpreter", f"{assigned!r} is already booked then")
    bookings.interpreters.add((assigned, slot))


def _check_locked_caps(
    event: Event, participants: _Participants, bookings: _Bookings, report: _Report
) -> None:
    """No firm has more locked meetings than it may have meetings at all."""
    first_lock: dict[str, LockedMeeting] = {}
    for lock in event.locked:
        first_lock.setdefault(lock.buyer, lock)
        first_lock.setdefault(lock.supplier, lock)
    for pid, count in bookings.per_participant.items():
        side: Role = "buyer" if any(lk.buyer == pid for lk in event.locked) else "supplier"
        cap = participant_max(event, pid, side, participants.ids.get(pid))
        if count > cap:
            report.add(
                first_lock[pid],
                "locked",
                side,
                f"{pid!r} has {count} locked meetings but may have at most {cap} "
                f"(the {side} max, or the number of slots)",
            )


def check_against_register(
    event: Event, requirements: Sequence[Requirement], suppliers: Sequence[Supplier]
) -> list[Problem]:
    """Every id in the event must name a buyer of the requirements or a registered supplier."""
    buyers = {buyer_id_of(r) for r in requirements}
    supplier_ids = {s.supplier_id for s in suppliers}
    known: dict[str, Role] = dict.fromkeys(buyers, "buyer")
    known.update(dict.fromkeys(supplier_ids, "supplier"))
    problems: list[Problem] = []

    def check(item: Item, section: str, column: str, pid: str, role: Role | None) -> None:
        found = known.get(pid)
        file, row = event.where(item, section)
        if found is None:
            hint = "a supplier_id of the suppliers file" if role == "supplier" else "a buyer id"
            if role != "supplier":
                hint += f" (buyer_id, or the buyer name as a slug, e.g. {sorted(buyers)[:2]})"
            problems.append(Problem(file, row, column, f"unknown participant {pid!r}: use {hint}"))
        elif role is not None and found != role:
            problems.append(Problem(file, row, column, f"{pid!r} is a {found}, expected {role}"))

    for p in event.participants:
        check(p, "participants", "id", p.id, p.role)
    if not event.participants:
        for req in event.requests:
            check(req, "requests", "from", req.from_id, None)
            check(req, "requests", "to", req.to_id, None)
            if known.get(req.from_id, "?") == known.get(req.to_id, "!"):
                file, row = event.where(req, "requests")
                problems.append(
                    Problem(file, row, "to", "a request must join a buyer and a supplier")
                )
        for section, pairs in (("declined", event.declined), ("met_before", event.met_before)):
            for pair in pairs:
                check(pair, section, "buyer", pair.buyer, "buyer")
                check(pair, section, "supplier", pair.supplier, "supplier")
        for lock in event.locked:
            check(lock, "locked", "buyer", lock.buyer, "buyer")
            check(lock, "locked", "supplier", lock.supplier, "supplier")
    return problems


def attending(
    event: Event, requirements: Sequence[Requirement], suppliers: Sequence[Supplier]
) -> tuple[list[Requirement], list[Supplier]]:
    """The part of the register that takes part (the listed participants' requirements and
    profiles; all of it when the event lists none), checked against the event: at least one
    buyer with a requirement and one supplier."""
    requirements, suppliers = list(requirements), list(suppliers)
    if event.participants:
        buyers = {p.id for p in event.participants if p.role == "buyer"}
        sellers = {p.id for p in event.participants if p.role == "supplier"}
        requirements = [r for r in requirements if buyer_id_of(r) in buyers]
        suppliers = [s for s in suppliers if s.supplier_id in sellers]
    problems = check_against_register(event, requirements, suppliers)
    if problems:
        raise InputDataError(problems)
    if not requirements or not suppliers:
        raise InputDataError(
            [
                Problem(
                    event.source,
                    None,
                    "participants",
                    "the event needs at least one buyer with a requirement and one registered "
                    "supplier",
                )
            ]
        )
    return requirements, suppliers


def participants_of(
    event: Event, requirements: Sequence[Requirement], suppliers: Sequence[Supplier]
) -> list[Participant]:
    """The event's participants, or every buyer and supplier of the register when none listed."""
    if event.participants:
        return list(event.participants)
    names: dict[str, str] = {}
    for r in requirements:
        names.setdefault(buyer_id_of(r), r.buyer)
    out = [Participant(id=b, role="buyer", name=n) for b, n in names.items()]
    out += [Participant(id=s.supplier_id, role="supplier", name=s.name) for s in suppliers]
    return out
