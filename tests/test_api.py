"""The matching service (api/): contract shapes, CRUD, search, privacy of contacts, events,
limits, CLI and migrations. The authorization matrix is in test_api_auth.py, schemathesis in
test_api_schema.py."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from typer.testing import CliRunner

from api.app import create_app
from api.config import MAX_PAGE_SIZE, ApiSettings
from api.limits import LimitsMiddleware
from matcher.config import Settings
from matcher.jobs import build_workspace_index, ingest_file
from matcher.store import Workspace
from tests.conftest import DATA, hashing
from tests.support import BUYER_A, BUYER_B, EVENT, Service, make_service, served

CONTACT = {
    "contact_name": "Nguyễn Thị Liên",
    "contact_email": "lien@thanglong.example.vn",
    "contact_phone": "+84 24 3555 0101",
}


def test_probes_and_metrics(service: Service) -> None:
    c = service.client
    assert c.get("/healthz").json() == {"status": "ok"}
    assert c.get("/readyz").json()["status"] == "ready"
    c.get("/v1/suppliers", headers=service.as_("admin"))
    text = c.get("/metrics").text
    assert 'route="/v1/suppliers"' in text and "matcher_http_request_seconds" in text


def test_requirement_contract(service: Service) -> None:
    c, buyer = service.client, service.as_("buyer")
    r = c.post(
        "/v1/requirements",
        json={"title": "Brackets", "description": "Progressive die stamping of steel brackets"},
        headers=buyer,
    )
    assert r.status_code == 201
    body = r.json()
    rid = body["requirement_id"]
    assert body["buyer_id"] == BUYER_A and body["title"] == "Brackets"
    got = c.get(f"/v1/requirements/{rid}", headers=buyer)
    assert got.status_code == 200 and got.json()["requirement_id"] == rid
    mine = c.get("/v1/requirements", headers=buyer).json()
    assert {x["requirement_id"] for x in mine["data"]} == {"R1", rid} and mine["count"] == 2
    everyone = c.get("/v1/requirements", headers=service.as_("organiser")).json()
    assert everyone["count"] == 4
    edited = c.put(
        f"/v1/requirements/{rid}",
        json={"title": "Brackets v2", "description": "Stamped steel brackets", "sector": ["IV"]},
        headers=buyer,
    )
    assert edited.json()["title"] == "Brackets v2" and edited.json()["sector"] == ["IV"]
    matches = c.get(f"/v1/requirements/{rid}/matches?top_k=2", headers=buyer).json()
    assert matches["count"] == 2 and matches["data"][0]["supplier_id"] == "S1"
    assert c.delete(f"/v1/requirements/{rid}", headers=buyer).json() == {"deleted": rid}
    assert c.get(f"/v1/requirements/{rid}", headers=buyer).status_code == 404


def test_organiser_must_name_the_buyer(service: Service) -> None:
    r = service.client.post(
        "/v1/requirements",
        json={"title": "x", "description": "y"},
        headers=service.as_("organiser"),
    )
    assert r.status_code == 422 and r.json()["problems"][0]["column"] == "buyer_id"


def test_search_contract(service: Service) -> None:
    c = service.client
    r = c.post(
        "/v1/search",
        json={"query": "ép phun nhựa ABS", "top_k": 2, "filters": {}},
        headers=service.as_("buyer"),
    )
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == len(body["data"]) == 2
    first = body["data"][0]
    assert first["supplier_id"] == "S2" and first["rank"] == 1
    assert isinstance(first["score"], float) and first["explanation"]
    assert "contact_email" not in first
    none = c.post(
        "/v1/search",
        json={"query": "plastic", "top_k": 5, "filters": {"certifications": ["IATF 16949"]}},
        headers=service.as_("buyer"),
    )
    assert none.json() == {
        "data": [],
        "count": 0,
        "why_empty": "no supplier passes all hard filters: certification IATF 16949 "
        "(held by 0 of 3); no supplier at all passes certification IATF 16949",
    }


def test_bad_requests_are_4xx(service: Service) -> None:
    c, h = service.client, service.as_("admin")
    assert c.post("/v1/search", content=b"{not json", headers=h).status_code == 422
    assert c.post("/v1/search", json={"query": ""}, headers=h).status_code == 422
    assert c.post("/v1/search", json={"query": "x", "top_k": 0}, headers=h).status_code == 422
    assert c.post("/v1/search", json={"query": "x", "nope": 1}, headers=h).status_code == 422
    big = c.get(f"/v1/suppliers?page_size={MAX_PAGE_SIZE + 1}", headers=h)
    assert big.status_code == 422 and big.json()["problems"][0]["column"] == "query.page_size"


def test_supplier_crud_and_pagination(service: Service) -> None:
    c, org = service.client, service.as_("organiser")
    new = {"supplier_id": "S9", "name": "Đúc Nhôm Đông Anh", "description": "Đúc áp lực ADC12"}
    assert c.post("/v1/suppliers", json=new, headers=org).status_code == 201
    assert c.post("/v1/suppliers", json=new, headers=org).status_code == 409
    page = c.get("/v1/suppliers?page=2&page_size=2", headers=org).json()
    assert page["count"] == 4 and [s["supplier_id"] for s in page["data"]] == ["S3", "S9"]
    changed = {**new, "description": "High-pressure die casting of aluminium housings"}
    assert c.put("/v1/suppliers/S9", json=changed, headers=org).status_code == 200
    mismatch = c.put("/v1/suppliers/S9", json={**changed, "supplier_id": "S8"}, headers=org)
    assert mismatch.status_code == 422
    assert c.delete("/v1/suppliers/S9", headers=org).status_code == 200
    assert c.get("/v1/suppliers/S9", headers=org).status_code == 404


def test_supplier_edits_only_its_own_profile(service: Service) -> None:
    c = service.client
    own = c.get("/v1/suppliers/S1", headers=service.as_("supplier")).json()
    r = c.put("/v1/suppliers/S1", json=own, headers=service.as_("supplier"))
    assert r.status_code == 200
    other = c.get("/v1/suppliers/S2", headers=service.as_("supplier")).json()
    assert c.put("/v1/suppliers/S2", json=other, headers=service.as_("supplier")).status_code == 403


def test_import_validates_whole_file(service: Service, tmp_path: Path) -> None:
    c, org = service.client, service.as_("organiser")
    bad = (
        "supplier_id,name,description,founded_year\n"
        "S20,Good,Fine profile,2001\n"
        "S21,Bad,Another profile,1800\n"
    )
    r = c.post("/v1/suppliers/import", files={"file": ("late.csv", bad.encode())}, headers=org)
    assert r.status_code == 422
    problem = r.json()["problems"][0]
    assert (problem["file"], problem["row"], problem["column"]) == ("late.csv", 3, "founded_year")
    assert c.get("/v1/suppliers/S20", headers=org).status_code == 404  # nothing half-written
    good = bad.replace("1800", "1999")
    r = c.post("/v1/suppliers/import", files={"file": ("late.csv", good.encode())}, headers=org)
    assert r.json() == {"inserted": 2, "updated": 0, "duplicates": []}
    for sid in ("S20", "S21"):
        assert c.delete(f"/v1/suppliers/{sid}", headers=org).status_code == 200
    odd = c.post("/v1/suppliers/import", files={"file": ("x.pdf", b"%PDF")}, headers=org)
    assert odd.status_code == 422 and odd.json()["problems"][0]["file"] == "x.pdf"


def test_contacts_only_after_a_confirmed_meeting(service: Service) -> None:
    c, org, buyer = service.client, service.as_("organiser"), service.as_("buyer")
    profile = c.get("/v1/suppliers/S3", headers=org).json()
    c.put("/v1/suppliers/S3", json={**profile, **CONTACT}, headers=org)
    assert (
        c.get("/v1/suppliers/S3", headers=org).json()["contact_email"] == CONTACT["contact_email"]
    )
    assert c.get("/v1/suppliers/S3", headers=buyer).json()["contact_email"] is None
    # The buyer's own word does not unlock contacts.
    met = {"outcome": "met", "supplier_id": "S3", "requirement_id": "R1"}
    assert c.post("/v1/feedback", json=met, headers=buyer).status_code == 201
    assert c.get("/v1/suppliers/S3", headers=buyer).json()["contact_email"] is None
    listed = c.get("/v1/suppliers", headers=buyer).json()["data"]
    assert all(s["contact_email"] is None for s in listed)
    # Another buyer reporting about S3 unlocks nothing for anybody either.
    c.post(
        "/v1/feedback",
        json={"outcome": "order", "supplier_id": "S3"},
        headers=service.as_("buyer_b"),
    )
    assert c.get("/v1/suppliers/S3", headers=buyer).json()["contact_email"] is None
    # An organiser confirms the meeting: now the buyer may call.
    confirm = {"outcome": "accepted", "supplier_id": "S3", "buyer_id": BUYER_A}
    assert c.post("/v1/feedback", json=confirm, headers=org).status_code == 201
    assert (
        c.get("/v1/suppliers/S3", headers=buyer).json()["contact_email"] == CONTACT["contact_email"]
    )
    assert c.get("/v1/suppliers/S3", headers=service.as_("buyer_b")).json()["contact_name"] is None
    mine = c.get("/v1/feedback", headers=buyer).json()
    assert {f["buyer_id"] for f in mine["data"]} == {BUYER_A}


def test_feedback_outcomes(service: Service) -> None:
    c = service.client
    # The buyer shows R1 to S1 (a supplier reports only on requirements shown to it).
    ask = {"outcome": "requested", "supplier_id": "S1", "requirement_id": "R1"}
    assert c.post("/v1/feedback", json=ask, headers=service.as_("buyer")).status_code == 201
    for outcome in ("requested", "accepted", "declined", "met", "no-show", "sample", "order"):
        r = c.post(
            "/v1/feedback",
            json={"outcome": outcome, "buyer_id": BUYER_A, "requirement_id": "R1"},
            headers=service.as_("supplier"),
        )
        assert r.status_code == 201, r.text
        assert r.json()["supplier_id"] == "S1" and r.json()["author_role"] == "supplier"
    wrong = {"outcome": "maybe", "supplier_id": "S1"}
    assert c.post("/v1/feedback", json=wrong, headers=service.as_("buyer")).status_code == 422


def test_personal_data_stays_out_of_logs(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    c, org = service.client, service.as_("organiser")
    profile = c.get("/v1/suppliers/S2", headers=org).json()
    c.put("/v1/suppliers/S2", json={**profile, **CONTACT}, headers=org)
    c.get("/v1/suppliers", headers=org)
    c.post("/v1/search", json={"query": CONTACT["contact_name"]}, headers=org)
    for value in CONTACT.values():
        assert value not in caplog.text
    assert service.keys["organiser"] not in caplog.text


def test_event_flow(service: Service) -> None:
    c, org = service.client, service.as_("organiser")
    created = c.post("/v1/events", json=EVENT, headers=org)
    assert created.status_code == 201, created.text
    eid = created.json()["event_id"]
    late = {"participants": [{"id": "S3", "role": "supplier", "languages": ["vi", "en"]}]}
    assert (
        c.post(f"/v1/events/{eid}/participants", json=late, headers=org).json()["participants"] == 5
    )
    assert c.get(f"/v1/events/{eid}/schedule", headers=org).status_code == 409
    planned = c.post(f"/v1/events/{eid}/plan", json={"top_k": 5}, headers=org)
    assert planned.status_code == 200, planned.text
    assert planned.json()["meetings"] > 0
    schedule = c.get(f"/v1/events/{eid}/schedule", headers=org).json()
    assert schedule["count"] == planned.json()["meetings"]
    pairs = {(m["buyer_id"], m["supplier_id"]) for m in schedule["data"]}
    assert len(pairs) == schedule["count"]
    first = schedule["data"][0]
    locked = c.post(
        f"/v1/events/{eid}/locks", json={"meeting_ids": [first["meeting_id"]]}, headers=org
    )
    assert locked.json()["locked"] == 1
    again = c.post(f"/v1/events/{eid}/plan", json={}, headers=org)
    assert again.status_code == 200
    after = c.get(f"/v1/events/{eid}/schedule", headers=org).json()["data"]
    kept = next(m for m in after if m["meeting_id"] == first["meeting_id"])
    assert kept["locked"] and (kept["slot_start"], kept["table"]) == (
        first["slot_start"],
        first["table"],
    )
    for name in ("schedule.csv", "schedule.xlsx", "matching_lists.xlsx", "kpis.json"):
        r = c.get(f"/v1/events/{eid}/files/{name}", headers=org)
        assert r.status_code == 200 and r.content
    buyer = first["buyer_id"]
    key = "buyer" if buyer == BUYER_A else "buyer_b"
    other = "buyer_b" if key == "buyer" else "buyer"
    ics = c.get(f"/v1/events/{eid}/agendas/{buyer}", headers=service.as_(key))
    assert ics.status_code == 200 and ics.content.startswith(b"BEGIN:VCALENDAR")
    html = c.get(f"/v1/events/{eid}/agendas/{buyer}?format=html", headers=service.as_(key))
    assert html.headers["content-type"].startswith("text/html")
    assert c.get(f"/v1/events/{eid}/agendas/{buyer}", headers=service.as_(other)).status_code == 404


def test_bad_event_lists_every_problem(service: Service) -> None:
    bad = {
        **EVENT,
        "timezone": "Mars/Olympus",
        "participants": [
            {"id": "S1", "role": "supplier", "available": [{"start": "25:00", "end": "26:00"}]}
        ],
    }
    r = service.client.post("/v1/events", json=bad, headers=service.as_("organiser"))
    assert r.status_code == 422 and len(r.json()["problems"]) >= 2


def test_supplier_edit_is_searchable_once_the_put_returns(service: Service) -> None:
    c, org = service.client, service.as_("organiser")
    profile = c.get("/v1/suppliers/S3", headers=org).json()
    word = "zirconiumoxidekeramik"
    search = {"query": word, "top_k": 1}
    before = c.post("/v1/search", json=search, headers=org).json()["data"]
    assert [h["supplier_id"] for h in before] != ["S3"]  # the word is what finds S3
    edited = {**profile, "description": f"{profile['description']}; {word} sintering"}
    assert c.put("/v1/suppliers/S3", json=edited, headers=org).status_code == 200
    # The PUT answers after the live index took the edit: the very next search finds it.
    hits = c.post("/v1/search", json=search, headers=org).json()["data"]
    assert [h["supplier_id"] for h in hits] == ["S3"]


def test_keys_cli_prints_the_key_last(service: Service) -> None:
    from matcher.cli import app

    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "keys",
            "create",
            "--role",
            "buyer",
            "--buyer-id",
            BUYER_A,
            "--workspace",
            str(service.workspace),
        ],
    )
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert service.client.get("/v1/requirements", headers={"X-API-Key": key}).status_code == 200
    bad = runner.invoke(
        app, ["keys", "create", "--role", "buyer", "--workspace", str(service.workspace)]
    )
    assert bad.exit_code == 1


def test_admin_manages_keys(service: Service) -> None:
    c, admin = service.client, service.as_("admin")
    made = c.post("/v1/keys", json={"role": "supplier", "supplier_id": "S2"}, headers=admin).json()
    secret = made["key"]
    assert c.get("/v1/suppliers/S2", headers={"X-API-Key": secret}).status_code == 200
    listed = c.get("/v1/keys", headers=admin).text
    assert secret not in listed and made["key_id"] in listed
    assert c.delete(f"/v1/keys/{made['key_id']}", headers=admin).status_code == 200
    assert c.get("/v1/suppliers/S2", headers={"X-API-Key": secret}).status_code == 401
    assert c.get("/v1/suppliers", headers={"X-API-Key": "mk_nothing_here"}).status_code == 401


# -- limits ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    limits = ApiSettings(
        max_body_bytes=2048,
        rate_per_minute=1.0,
        rate_burst=3,
        cors_origins=["https://fair.example.org"],
    )
    with served(tmp_path_factory, "api-tight", limits) as svc:
        yield svc


def test_body_cap_413(tight: Service) -> None:
    h = tight.as_("organiser")
    r = tight.client.post("/v1/search", json={"query": "x" * 5000}, headers=h)
    assert r.status_code == 413

    def chunks() -> Iterator[bytes]:
        yield b'{"query": "'
        yield b"y" * 4000
        yield b'"}'

    streamed = tight.client.post(
        "/v1/search", content=chunks(), headers={**h, "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


def test_rate_limit_429_per_key(tight: Service) -> None:
    c = tight.client
    codes = [c.get("/v1/suppliers", headers=tight.as_("buyer")).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    limited = c.get("/v1/suppliers", headers=tight.as_("buyer"))
    assert int(limited.headers["Retry-After"]) >= 1
    assert c.get("/v1/suppliers", headers=tight.as_("buyer_b")).status_code == 200


def test_cors_only_for_configured_origins(tight: Service) -> None:
    c = tight.client
    ok = c.get("/healthz", headers={"Origin": "https://fair.example.org"})
    assert ok.headers.get("access-control-allow-origin") == "https://fair.example.org"
    other = c.get("/healthz", headers={"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in other.headers


def test_concurrency_limit_503() -> None:
    release = asyncio.Event()

    async def slow(request: Request) -> PlainTextResponse:
        await release.wait()
        return PlainTextResponse("done")

    app = LimitsMiddleware(Starlette(routes=[Route("/", slow)]), 1024, max_concurrency=1)

    async def scenario() -> tuple[int, int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            first = asyncio.create_task(client.get("/"))
            while app.in_flight == 0:
                await asyncio.sleep(0.001)
            second = await client.get("/")
            release.set()
            done = await first
            third = await client.get("/")
            return done.status_code, second.status_code, third.status_code

    assert asyncio.run(scenario()) == (200, 503, 200)


# -- storage ---------------------------------------------------------------------------------------
def test_fresh_database_matches_the_models(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from matcher.store import Base

    ws = Workspace(tmp_path)
    with ws.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version == "0003_web"  # the head: the web app's sessions, shortlists, requests


def test_old_workspace_is_migrated(tmp_path: Path) -> None:
    # The schema as create_all wrote it before migrations existed.
    with sqlite3.connect(tmp_path / "matcher.sqlite") as db:
        db.executescript(
            """
            CREATE TABLE suppliers (supplier_id VARCHAR(64) NOT NULL, name VARCHAR(512) NOT NULL,
              data TEXT NOT NULL, content_hash VARCHAR(64) NOT NULL,
              updated_at DATETIME NOT NULL, PRIMARY KEY (supplier_id));
            CREATE TABLE requirements (requirement_id VARCHAR(64) NOT NULL,
              buyer VARCHAR(512) NOT NULL, data TEXT NOT NULL, content_hash VARCHAR(64) NOT NULL,
              updated_at DATETIME NOT NULL, PRIMARY KEY (requirement_id));
            CREATE INDEX ix_requirements_buyer ON requirements (buyer);
            INSERT INTO requirements VALUES ('R1', 'Honda Vietnam',
              '{"requirement_id": "R1", "buyer": "Honda Vietnam", "description": "brackets"}',
              'h', '2024-01-01 00:00:00');
            """
        )
    ws = Workspace(tmp_path)
    assert ws.requirement_owner("R1") == BUYER_A
    assert ws.page_requirements(0, 10, BUYER_A)[1] == 1


@pytest.mark.model
def test_default_encoder_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real default (e5) behind the API: a Vietnamese profile found by an English query."""
    svc = make_service(tmp_path, settings=Settings())
    with svc.client:
        r = svc.client.post(
            "/v1/search",
            json={"query": "plastic injection moulding of printer housings", "top_k": 3},
            headers=svc.as_("buyer"),
        )
    assert r.status_code == 200
    assert r.json()["data"][0]["supplier_id"] == "S2"


def test_front_door_is_the_web_app(service: Service) -> None:
    """`/` sends a browser to the web app's sign-in (tests/web/ test the pages)."""
    page = service.client.get("/")
    assert page.status_code == 200 and str(page.url).endswith("/app/signin")
    assert 'name="api_key"' in page.text


def test_search_during_a_rebuild_gets_a_complete_answer(service: Service) -> None:
    import threading

    context = service.client.app.state.context  # type: ignore[attr-defined]
    h = service.as_("organiser")
    expected = service.client.post("/v1/search", json={"query": "steel", "top_k": 3}, headers=h)
    rebuild = threading.Thread(target=context.index.rebuild)
    rebuild.start()
    answers = []
    while rebuild.is_alive() or not answers:
        r = service.client.post("/v1/search", json={"query": "steel", "top_k": 3}, headers=h)
        answers.append((r.status_code, r.json()["count"]))
    rebuild.join()
    assert set(answers) == {(200, expected.json()["count"])}


def test_event_sizes_are_bounded(service: Service) -> None:
    # "tables: N" becomes N named tables: an unbounded N would exhaust memory.
    huge = {**EVENT, "tables": 10**12}
    r = service.client.post("/v1/events", json=huge, headers=service.as_("organiser"))
    assert r.status_code == 422


# -- reliability (#17) -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "\t\n",
        "\u200b",
        "\u200c\u200d",
        "\ufeff",
        " \u200b\ufeff ",
        "\x00",
        "\x00\x01\x1f",
    ],
    ids=["empty", "spaces", "tab-newline", "zwsp", "zwnj-zwj", "bom", "mixed", "nul", "controls"],
)
def test_blank_search_query_is_422_naming_the_field(service: Service, query: str) -> None:
    r = service.client.post("/v1/search", json={"query": query}, headers=service.as_("buyer"))
    assert r.status_code == 422, r.text
    assert [p["column"] for p in r.json()["problems"]] == ["body.query"]


def test_the_last_admin_key_cannot_be_revoked_through_the_api(tmp_path: Path) -> None:
    svc = make_service(tmp_path / "ws")
    c, admin = svc.client, svc.as_("admin")
    [mine] = [
        k["key_id"] for k in c.get("/v1/keys", headers=admin).json()["data"] if k["role"] == "admin"
    ]
    refused = c.delete(f"/v1/keys/{mine}", headers=admin)
    assert refused.status_code == 409
    assert "last admin key" in refused.json()["detail"]
    assert c.get("/v1/keys", headers=admin).status_code == 200  # still works
    second = c.post("/v1/keys", json={"role": "admin"}, headers=admin).json()
    assert c.delete(f"/v1/keys/{mine}", headers=admin).status_code == 200
    other = {"X-API-Key": second["key"]}
    assert c.delete(f"/v1/keys/{second['key_id']}", headers=other).status_code == 409


def test_feedback_on_an_unseen_requirement_answers_as_a_missing_one(service: Service) -> None:
    c = service.client
    # R2 belongs to BUYER_B: neither buyer A nor a supplier it was not shown to sees it, even
    # when the supplier guesses the right (buyer, requirement) pair.
    for who, extra in (
        ("buyer", {"supplier_id": "S1"}),
        ("supplier", {}),
        ("supplier", {"buyer_id": BUYER_A}),
        ("supplier", {"buyer_id": BUYER_B}),
        ("supplier", {"supplier_id": "S1"}),
    ):
        answers = [
            c.post(
                "/v1/feedback",
                json={"outcome": "met", "requirement_id": rid, **extra},
                headers=service.as_(who),
            )
            for rid in ("R2", "R-does-not-exist")
        ]
        assert {a.status_code for a in answers} == {404}, (who, extra)
        assert answers[0].json() == answers[1].json()
    # Once buyer B asks S1 for a meeting on R2, S1 reports on it (naming the buyer or not).
    ask = {"outcome": "requested", "requirement_id": "R2", "supplier_id": "S1"}
    assert c.post("/v1/feedback", json=ask, headers=service.as_("buyer_b")).status_code == 201
    for extra in ({"buyer_id": BUYER_B}, {}):
        shared = {"outcome": "accepted", "requirement_id": "R2", **extra}
        answer = c.post("/v1/feedback", json=shared, headers=service.as_("supplier"))
        assert answer.status_code == 201 and answer.json()["buyer_id"] == BUYER_B


def test_readyz_and_metrics_report_a_corrupt_index_version(tmp_path: Path) -> None:
    svc = make_service(tmp_path / "ws")
    c = svc.client
    ready = c.get("/readyz").json()
    assert ready["status"] == "ready" and ready["reason"] is None
    good = ready["version"]
    assert "matcher_index_load_failures_total 0.0" in c.get("/metrics").text
    # `matcher index` beside the service writes a version that is then damaged.
    bad = build_workspace_index(svc.workspace, hashing())["version"]
    (svc.workspace / "index" / bad / "vocab.index.json").write_text("{not json")
    degraded = c.get("/readyz")
    assert degraded.status_code == 200
    body = degraded.json()
    assert body["status"] == "degraded" and body["version"] == good
    assert bad in body["reason"] and "rebuild with `matcher index`" in body["reason"]
    metrics = c.get("/metrics").text
    assert "matcher_index_load_failures_total 1.0" in metrics
    assert "matcher_index_fault 1.0" in metrics and f'version="{good}"' in metrics
    hits = c.post("/v1/search", json={"query": "ép phun nhựa"}, headers=svc.as_("buyer"))
    assert hits.status_code == 200 and hits.json()["count"] > 0
    # A fresh good version clears the fault.
    fixed = build_workspace_index(svc.workspace, hashing())["version"]
    assert c.get("/readyz").json() == {
        "status": "ready",
        "suppliers": 3,
        "version": fixed,
        "reason": None,
    }


def test_service_started_on_only_a_corrupt_version_is_not_ready(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    ingest_file(root, "suppliers", DATA / "suppliers_3.csv")
    version = build_workspace_index(root, hashing())["version"]
    (root / "index" / version / "dense.faiss").write_bytes(b"garbage")
    admin = Workspace(root).create_api_key("admin")[1]
    client = TestClient(create_app(root, hashing()))
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["status"] == "not ready" and "dense.faiss" in r.json()["reason"]
    assert "matcher_index_ready 0.0" in client.get("/metrics").text
    search = client.post("/v1/search", json={"query": "stamping"}, headers={"X-API-Key": admin})
    assert search.status_code == 503 and "not ready" in search.json()["detail"]
