"""The organiser pages without a browser (TestClient): every state-changing organiser form
refuses a missing or wrong CSRF token and changes nothing; no input to any organiser form or
filter answers 500 (hypothesis over each form's fields); a bad file's problems are listed with
nothing imported; what-if, KPIs with the direct-supplier count, files and agendas answer."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.config import ApiSettings
from api.pages import page_modules
from matcher.jobs import ingest_file
from matcher.store import Workspace
from tests.conftest import DATA, hashing
from tests.support import EVENT
from tests.web.conftest import client_sign_in

ORGANISER = "/app/organiser"


@dataclass
class Site:
    client: TestClient
    workspace: Workspace
    csrf: str
    event_id: str
    meeting_ids: list[str]
    late_event_id: str  # an event the late-registration property may fill with anything

    def post(self, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
        return self.client.post(path, data={"csrf_token": self.csrf, **data}, **kwargs)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The 3-supplier register, an organiser signed in, the service tests' event planned."""
    root = tmp_path_factory.mktemp("organiser-forms")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MATCHER_CACHE_DIR", str(root / "cache"))
        ingest_file(root / "ws", "suppliers", DATA / "suppliers_3.csv")
        ingest_file(root / "ws", "requirements", DATA / "requirements_3.csv")
        workspace = Workspace(root / "ws")
        key = workspace.create_api_key("organiser")[1]
        api = ApiSettings(rate_per_minute=1e9, rate_burst=10**9, max_plan_seconds=1)
        with TestClient(create_app(root / "ws", hashing(), api)) as client:
            csrf = client_sign_in(client, key)
            events = client.app.state.context.events  # type: ignore[attr-defined]
            record = events.create(EVENT)
            rows = events.plan(record.event_id, 5)["meetings"]
            ids = [r["meeting_id"] for r in rows]
            yield Site(client, workspace, csrf, record.event_id, ids, events.create(EVENT).event_id)


def organiser_posts() -> list[str]:
    """Every POST route of the organiser page modules (api/pages/organiser*.py)."""
    routers = [
        importlib.import_module(name).router
        for name in page_modules()
        if name.rsplit(".", 1)[-1].startswith("organiser")
        and hasattr(importlib.import_module(name), "router")
    ]
    return sorted(
        route.path
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and "POST" in (route.methods or set())
    )


def test_every_organiser_form_needs_the_sessions_csrf_token(site: Site) -> None:
    posts = organiser_posts()
    forms = ["import", "events", "events/upload"] + [
        f"events/{{event_id}}/{name}"
        for name in ("locks", "move", "participants", "plan", "what-if", "withdraw")
    ]
    assert posts == sorted(f"{ORGANISER}/{form}" for form in forms)
    before = (site.workspace.suppliers(), site.workspace.event(site.event_id))
    for path in posts:
        url = path.replace("{event_id}", site.event_id)
        data = {
            "meeting_id": site.meeting_ids[0],
            "action": "lock",
            "id": "S9",
            "role": "supplier",
            "top_k": "5",
            "options": "tables+1",
            "slot": "x",
            "table": "T01",
        }
        for token in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
            answer = site.client.post(url, data={**data, **token})
            assert answer.status_code == 403, (url, token, answer.status_code)
    assert (site.workspace.suppliers(), site.workspace.event(site.event_id)) == before


def test_a_bad_file_lists_its_problems_and_imports_nothing(site: Site) -> None:
    before = site.workspace.suppliers()
    with (DATA / "bad" / "field_tier_5_row4.csv").open("rb") as handle:
        answer = site.post(
            f"{ORGANISER}/import",
            {"kind": "suppliers"},
            files={"file": ("bad.csv", handle, "text/csv")},
        )
    assert answer.status_code == 422
    assert re.search(r"<td>bad\.csv</td><td>4</td><td>tier</td>", answer.text)
    assert site.workspace.suppliers() == before


def test_what_if_kpis_files_and_agendas(site: Site) -> None:
    base = f"{ORGANISER}/events/{site.event_id}"
    answer = site.post(f"{base}/what-if", {"options": "tables+1\nslots-1", "top_k": "5"})
    assert answer.status_code == 200
    assert 'data-option="tables+1"' in answer.text and 'data-option="slots-1"' in answer.text
    kpis = site.client.get(f"{base}/kpis?direct=1")
    assert kpis.status_code == 200 and kpis.text.count("<svg") == 3
    assert 'id="direct-count"' in kpis.text
    xlsx = site.client.get(f"{base}/files/schedule.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    ics = site.client.get(f"{base}/agendas/S1.ics")
    assert ics.status_code == 200 and b"BEGIN:VCALENDAR" in ics.content
    pdf = site.client.get(f"{base}/agendas/S1.pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert site.client.get(f"{base}/agendas/nobody.ics").status_code == 404
    assert site.client.get(f"{base}/agendas/nobody.pdf").status_code == 404


# -- no 500 on any input ---------------------------------------------------------------------------
texts = st.text(max_size=60)
numbers = st.one_of(st.integers(-5, 2000).map(str), texts)
PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_answered(answer: Any) -> None:
    assert answer.status_code < 500, answer.text[:500]


@PROPERTY
@given(
    name=texts,
    date=texts,
    timezone=texts,
    tables=numbers,
    slots=texts,
    buyers=texts,
    suppliers=texts,
    interpreters=texts,
    caps=st.lists(numbers, min_size=4, max_size=4),
    floor=numbers,
    min_score=numbers,
    time_limit_s=numbers,
)
def test_event_form_never_fails(site: Site, caps: list[str], **fields: str) -> None:
    bounds = ("buyer_min", "buyer_max", "supplier_min", "supplier_max")
    assert_answered(
        site.post(f"{ORGANISER}/events", {**fields, **dict(zip(bounds, caps, strict=True))})
    )


@PROPERTY
@given(
    pid=texts,
    role=st.one_of(st.sampled_from(["buyer", "supplier"]), texts),
    name=texts,
    available=texts,
    languages=texts,
    low=numbers,
    high=numbers,
)
def test_late_registration_never_fails(
    site: Site, pid: str, role: str, name: str, available: str, languages: str, low: str, high: str
) -> None:
    data = {
        "id": pid,
        "role": role,
        "name": name,
        "available": available,
        "languages": languages,
        "min_meetings": low,
        "max_meetings": high,
    }
    late = f"{ORGANISER}/events/{site.late_event_id}"
    assert_answered(site.post(f"{late}/participants", data))
    assert_answered(site.post(f"{late}/withdraw", {"id": pid}))


@PROPERTY
@given(
    ids=st.lists(st.one_of(st.sampled_from(["M-none"]), texts), max_size=3),
    action=st.one_of(st.sampled_from(["lock", "unlock"]), texts),
    slot=texts,
    table=st.one_of(st.sampled_from(["T01", "T02", "T99"]), texts),
    top_k=numbers,
    options=texts,
)
def test_plan_forms_never_fail(
    site: Site, ids: list[str], action: str, slot: str, table: str, top_k: str, options: str
) -> None:
    base = f"{ORGANISER}/events/{site.event_id}"
    assert_answered(site.post(f"{base}/locks", {"meeting_id": ids, "action": action}))
    assert_answered(
        site.post(
            f"{base}/move",
            {"meeting_id": ids[0] if ids else "", "slot": slot, "table": table, "top_k": top_k},
        )
    )
    assert_answered(site.post(f"{base}/what-if", {"options": options, "top_k": top_k}))


@pytest.mark.parametrize("top_k", ["0", "51", "abc", "1e9", "-3"])
def test_plan_refuses_a_bad_number_of_candidates(site: Site, top_k: str) -> None:
    answer = site.post(f"{ORGANISER}/events/{site.event_id}/plan", {"top_k": top_k})
    assert answer.status_code == 422 and "top_k" in answer.text


@pytest.mark.slow  # each upload is parsed in a worker process of its own, as in service
@settings(PROPERTY, max_examples=8)
@given(
    kind=st.one_of(st.sampled_from(["suppliers", "requirements"]), texts),
    name=st.sampled_from(["r.csv", "r.xlsx", "r.json", "r.yaml", "r", "r.txt"]),
    content=st.binary(max_size=300),
)
def test_uploads_never_fail(site: Site, kind: str, name: str, content: bytes) -> None:
    before = len(site.workspace.suppliers())
    answer = site.post(f"{ORGANISER}/import", {"kind": kind}, files={"file": (name, content)})
    assert_answered(answer)
    assert_answered(site.post(f"{ORGANISER}/events/upload", {}, files={"file": (name, content)}))
    if answer.status_code != 200:
        assert len(site.workspace.suppliers()) == before


@PROPERTY
@given(
    params=st.dictionaries(
        st.sampled_from(["sector", "province", "certificate", "tier", "page"]), texts
    )
)
def test_register_filters_never_fail(site: Site, params: dict[str, str]) -> None:
    assert_answered(site.client.get(f"{ORGANISER}/register", params=params))


def test_every_post_form_on_the_organiser_pages_carries_the_token(site: Site) -> None:
    base = f"{ORGANISER}/events/{site.event_id}"
    pages = [
        f"{ORGANISER}/import",
        f"{ORGANISER}/events",
        base,
        f"{base}/meetings",
        f"{base}/grid",
        f"{base}/what-if",
    ]
    seen = 0
    for path in pages:
        html = site.client.get(path).text
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S):
            seen += 1
            assert f'name="csrf_token" value="{site.csrf}"' in form, (path, form[:200])
    assert (
        seen >= 8
    )  # import, event file, event form, plan, late registration, locks, move, what-if
