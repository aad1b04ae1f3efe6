"""Every file the product writes survives hostile text (#17 part 5): formula-like names (ASCII
and full-width), markup, control characters and a lone surrogate go through matching, event
planning and tiers, and each file is read back: no cell is a formula or starts like one, no
character a reader refuses is left, no markup runs in an agenda, and the plan route answers."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from matcher.engine import Engine
from matcher.events import plan_event, prepare_event, write_event_outputs
from matcher.events.profiles import profiles_of
from matcher.export import clean_text, safe_cell, write_matches
from matcher.ingest import load_requirements, load_suppliers
from matcher.schemas import Match, Requirement, Supplier
from matcher.tiers import propose_network, write_network
from tests.conftest import DATA, hashing
from tests.support import EVENT, Service, make_service

HOSTILE = [
    '=HYPERLINK("http://evil.example/","click")',
    "＝1+1",
    "@SUM(A1:A9)",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "＋1",
    "－1",
    "＠SUM(1)",
    " =1+1",
    "\u3000＝1+1",
    "<script>alert(1)</script>",
    'a "quoted" <b>bold</b> & more',
    "NUL\x00in the\x01name\x1b[31m",
    "bell\x07 and DEL\x7f and C1\x85",
    "lone \ud800 surrogate",
]
# What validated records can hold: pydantic refuses a lone surrogate (test below), so only the
# model_copy path of hostile_suppliers, which skips validation, carries one to the writers.
VALID = [h for h in HOSTILE if "\ud800" not in h]
FORMULA_START = set("=+-@\t\r\n＝＋－＠")
READER_REFUSES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def check_text(value: str, where: str) -> None:
    assert not READER_REFUSES.search(value), f"{where}: {value!r} holds a refused character"
    head = value.lstrip(" \u00a0\u3000")
    assert head[:1] not in FORMULA_START, f"{where}: {value!r} reads as a formula"


def check_xlsx(path: Path) -> int:
    """Every cell of every sheet: a value, never a formula, never formula-like text."""
    book = load_workbook(path)  # full mode: formulas come back as data_type "f"
    cells = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    check_text(cell.value, f"{path.name}!{cell.coordinate}")
                cells += 1
    return cells


def check_csv(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    for n, row in enumerate(rows):
        for value in row:
            check_text(value, f"{path.name} row {n}")
    return len(rows)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "p", "table", "thead"}
ALLOWED_TAGS |= {"tbody", "tr", "th", "td", "br", "small", "section", "strong"}
ALLOWED_TAGS |= {"h2", "div", "b", "span"}  # the floor plan's cards


def check_html(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    assert not READER_REFUSES.search(raw.replace("\n", "")), f"{path.name}: refused character"
    parser = _Tags()
    parser.feed(raw)
    assert set(parser.tags) <= ALLOWED_TAGS, f"{path.name}: markup from the data: {parser.tags}"
    return "".join(parser.text)


def hostile_suppliers(base: list[Supplier], offset: int = 0) -> list[Supplier]:
    """The register with every name (and a description suffix, an extra column) replaced by a
    hostile text; model_copy skips validation, as a writer must expect of its callers."""
    n = len(HOSTILE)
    return [
        s.model_copy(
            update={
                "name": HOSTILE[(3 * i + offset) % n],
                "description": f"{s.description} {HOSTILE[(3 * i + offset + 1) % n]}",
                "extra": {"note": HOSTILE[(3 * i + offset + 2) % n]},
                "province": HOSTILE[(3 * i + offset + 4) % n],
                "contact_name": HOSTILE[(3 * i + offset + 5) % n],
            }
        )
        for i, s in enumerate(base)
    ]


# -- the cell escaper alone ----------------------------------------------------------------------
@pytest.mark.parametrize("value", [*HOSTILE, "\t=1+1", "\r=1+1", "\n=1", "\x00=1+1"])
def test_safe_cell_leaves_nothing_runnable_or_refused(value: str) -> None:
    out = safe_cell(value)
    assert not READER_REFUSES.search(out)
    assert out.lstrip(" \u00a0\u3000")[:1] not in FORMULA_START, out


def test_safe_cell_keeps_plain_text_and_numbers() -> None:
    assert safe_cell("Cơ khí An Phát") == "Cơ khí An Phát"
    assert safe_cell("line one\nline two") == "line one\nline two"  # list cells keep breaks
    assert safe_cell(-2) == -2 and safe_cell(0.5) == 0.5 and safe_cell(None) is None
    assert safe_cell("＝1") == "'＝1" and safe_cell("\t=1") == "'\t=1"
    assert clean_text("a\x00b\ud800c") == "ab\ufffdc"


def test_validated_records_refuse_a_lone_surrogate() -> None:
    with pytest.raises(ValueError):
        Supplier(supplier_id="X", name="lone \ud800", description="welding")


# -- matching ------------------------------------------------------------------------------------
def test_match_exports_read_back_safe(tmp_path: Path) -> None:
    suppliers = hostile_suppliers(load_suppliers(DATA / "suppliers_3.csv").records * 1)
    suppliers += [
        Supplier(supplier_id=f"H{i}", name=h, description=f"stamping {h}", extra={"memo": h})
        for i, h in enumerate(VALID)
    ]
    requirements = load_requirements(DATA / "requirements_3.csv").records
    engine = Engine(hashing()).build(suppliers)
    matches = engine.match(requirements, top_k=len(suppliers))
    by_id = {s.supplier_id: s for s in suppliers}
    names = {m.supplier_name for m in matches}
    assert {"＝1+1", "@SUM(A1:A9)", "<script>alert(1)</script>", HOSTILE[12]} <= names
    for suffix in (".csv", ".xlsx", ".jsonl"):
        out = tmp_path / f"matches{suffix}"
        write_matches(matches, out, by_id)
        if suffix == ".csv":
            assert check_csv(out) == len(matches) + 1
        elif suffix == ".xlsx":
            assert check_xlsx(out) > 0
        else:
            lines = out.read_text(encoding="utf-8").splitlines()
            assert len(lines) == len(matches)
            names = {json.loads(line)["supplier_name"] for line in lines}
            assert "@SUM(A1:A9)" in names  # JSON is data: kept as it is


# -- event planning ------------------------------------------------------------------------------
EVENTS = DATA / "events"
SCORES = {("R1", "S1"): 0.9, ("R2", "S2"): 0.7, ("R1", "S3"): 0.3, ("R2", "S5"): 0.6}
SCORES |= {("R3", "S3"): 0.8, ("R3", "S5"): 0.4}


def test_event_outputs_read_back_safe(tmp_path: Path) -> None:
    requirements = load_requirements(EVENTS / "requirements.csv").records
    suppliers = hostile_suppliers(load_suppliers(EVENTS / "suppliers.csv").records, offset=2)
    assert HOSTILE[-1] in {s.name for s in suppliers}  # the lone surrogate reaches the writers
    matches = [
        Match(
            requirement_id=r,
            supplier_id=s,
            rank=1,
            score=v,
            explanation=f"fits {r}: {HOSTILE[10]} {HOSTILE[int(s[1:])]}",
        )
        for (r, s), v in SCORES.items()
    ]
    event = prepare_event(EVENTS / "event.yaml", requirements, suppliers)
    plan = plan_event(event, matches, requirements, suppliers)
    assert plan.meetings
    written = write_event_outputs(plan, tmp_path / "event", profiles_of(suppliers, requirements))
    out = tmp_path / "event"
    assert check_csv(out / "schedule.csv") == len(plan.meetings) + 1
    assert check_xlsx(out / "schedule.xlsx") and check_xlsx(out / "matching_lists.xlsx")
    json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    agendas = [p for p in written if p.startswith("agendas/")]
    assert len(agendas) == 3 * len(plan.firms)  # both languages, Vietnamese, English
    shown = "".join(check_html(out / p) for p in [*agendas, "floorplan.html"])
    assert "<script>alert(1)</script>" in shown  # shown as text, never as markup
    for ics in (out / "ics").iterdir():
        calendar = Calendar.from_ical(ics.read_bytes())
        for component in calendar.walk("VEVENT"):
            for field in ("summary", "description", "location"):
                assert not READER_REFUSES.search(str(component.get(field, "")))


# -- tiers ---------------------------------------------------------------------------------------
def test_tier_outputs_read_back_safe(tmp_path: Path) -> None:
    rows = [
        ("S1", "Sản xuất yên xe máy, dập khung yên thép, may áo yên.", ["yên xe máy"]),
        ("S3", "Dập kim loại, chi tiết dập thép tấm.", []),
        ("S4", "Sản xuất mút xốp PU cho đệm yên.", ["mút PU"]),
        ("S5", "May bọc đệm, may áo yên xe máy.", []),
    ]
    suppliers = [
        Supplier(
            supplier_id=sid,
            name=HOSTILE[i * 3 % len(HOSTILE)],
            description=f"{text} {HOSTILE[(i * 3 + 1) % len(HOSTILE)]}",
            products=products,
        )
        for i, (sid, text, products) in enumerate(rows)
    ]
    requirement = Requirement(
        requirement_id="R1",
        buyer=HOSTILE[10],
        description="Motorbike seats, yên xe máy",
        required_certifications=["IATF 16949"],
    )
    network, chains = propose_network(suppliers, [requirement], settings=hashing(), top_k=2)
    assert network.links
    out = tmp_path / "tiers"
    files = write_network(network, chains, out)
    assert {"chains.csv", "gaps.xlsx"} <= set(files)
    assert check_csv(out / "chains.csv") == len(chains) + 1
    assert check_xlsx(out / "gaps.xlsx") > 0
    ET.parse(out / "network.graphml")  # XML that parses: no control character, no surrogate
    json.loads((out / "network.json").read_text(encoding="utf-8"))


# -- the plan route ------------------------------------------------------------------------------
def test_plan_route_with_hostile_names_answers_and_its_files_are_safe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path / "cache"))
    svc: Service = make_service(tmp_path / "ws")
    c, h = svc.client, svc.as_("organiser")
    with c:
        for sid, name in (("S1", HOSTILE[0]), ("S2", HOSTILE[12]), ("S3", HOSTILE[10])):
            current = c.get(f"/v1/suppliers/{sid}", headers=h).json()
            body: dict[str, Any] = {
                k: v for k, v in current.items() if k in Supplier.model_fields and v is not None
            }
            body.update(name=name, description=f"{current['description']} {HOSTILE[1]}")
            r = c.put(f"/v1/suppliers/{sid}", json=body, headers=h)
            assert r.status_code == 200, r.text
        event = {**EVENT, "name": "Fair " + HOSTILE[13]}
        created = c.post("/v1/events", json=event, headers=h)
        assert created.status_code == 201, created.text
        eid = created.json()["event_id"]
        planned = c.post(f"/v1/events/{eid}/plan", json={"top_k": 3}, headers=h)
        assert planned.status_code == 200, planned.text
        assert planned.json()["meetings"] > 0
        for name in ("schedule.csv", "schedule.xlsx", "matching_lists.xlsx"):
            r = c.get(f"/v1/events/{eid}/files/{name}", headers=h)
            assert r.status_code == 200
            path = tmp_path / name
            path.write_bytes(r.content)
            (check_csv if name.endswith(".csv") else check_xlsx)(path)
        page = c.get(f"/v1/events/{eid}/agendas/S2?format=html", headers=h)
        assert page.status_code == 200
        (tmp_path / "S2.html").write_bytes(page.content)
        check_html(tmp_path / "S2.html")
