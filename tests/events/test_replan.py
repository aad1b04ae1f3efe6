from __future__ import annotations

from pathlib import Path

import pytest

from matcher.errors import ConfigError
from matcher.events import EventPlan, prepare_event, replan_event, what_if, write_event_outputs
from matcher.schemas import Match
from tests.events.conftest import EVENTS, Register


def test_replan_keeps_confirmed_meetings(
    plan: EventPlan,
    register: Register,
    tmp_path: Path,
) -> None:
    reqs, sups, matches = register
    write_event_outputs(plan, tmp_path / "first")
    confirmed = tmp_path / "confirmed.csv"
    lines = (tmp_path / "first" / "schedule.csv").read_text(encoding="utf-8").splitlines()
    confirmed.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")  # header + 2 meetings
    kept = {tuple(line.split(",")[:4]) for line in lines[1:3]}
    # a late registration: S5 now has an excellent match with Honda too
    late = [*matches, Match(requirement_id="R3", supplier_id="S4", rank=1, score=0.99)]
    event = prepare_event(EVENTS / "event.yaml", reqs, sups)
    second = replan_event(event, late, reqs, sups, confirmed)
    now = {
        (m.meeting_id, m.slot_start.isoformat(), m.slot_end.isoformat(), m.table)
        for m in second.meetings
    }
    assert kept <= now


def test_what_if_reports_without_changing_the_plan(plan: EventPlan, register: Register) -> None:
    reqs, sups, matches = register
    before = [(m.meeting_id, m.slot, m.table) for m in plan.meetings]
    results = what_if(
        plan.event, matches, reqs, sups, ["tables+1", "slots+2", "supplier_max+1"], plan
    )
    assert [r.option for r in results] == ["tables+1", "slots+2", "supplier_max+1"]
    assert results[1].kpis["slots_used"] >= 1
    assert [(m.meeting_id, m.slot, m.table) for m in plan.meetings] == before
    with pytest.raises(ConfigError, match="tables\\+5"):
        what_if(plan.event, matches, reqs, sups, ["chairs+5"], plan)
