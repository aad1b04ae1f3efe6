"""Authorization: every endpoint × every role × an object owned by someone else; no route
without the key dependency; a canary planted in one buyer's data never reaches another buyer."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from api.deps import principal
from api.routes.health import PUBLIC_PATHS
from tests.support import BUYER_A, BUYER_B, EVENT, Service

CANARY = "CANARY-7f3c9e1b-do-not-leak"
ROLES = ("admin", "organiser", "buyer", "supplier")  # buyer = BUYER_A, supplier = S1
_ids = itertools.count(1)

Request = tuple[str, dict[str, Any]]  # concrete path, keyword arguments for the client


def fresh_id(prefix: str) -> str:
    return f"{prefix}{next(_ids)}"


@dataclass
class World:
    """Objects owned by others than the buyer (BUYER_A) and supplier (S1) keys under test."""

    svc: Service
    planned_event: str = ""
    cache: dict[str, str] = field(default_factory=dict)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.svc.client.post(path, json=body, headers=self.svc.as_("organiser"))
        assert r.status_code in (200, 201), r.text
        result: dict[str, Any] = r.json()
        return result

    def other_requirement(self) -> str:
        """A fresh requirement of BUYER_B carrying the canary."""
        body = {
            "title": f"{CANARY} title",
            "description": f"Plastic housings for printers {CANARY}",
            "buyer_id": BUYER_B,
        }
        return str(self.post("/v1/requirements", body)["requirement_id"])

    def fresh_supplier(self) -> str:
        sid = fresh_id("SX")
        self.post("/v1/suppliers", {"supplier_id": sid, "name": sid, "description": "Mạ kẽm"})
        return sid

    def fresh_event(self) -> str:
        return str(self.post("/v1/events", EVENT)["event_id"])

    def fresh_key(self) -> str:
        r = self.svc.client.post(
            "/v1/keys", json={"role": "organiser"}, headers=self.svc.as_("admin")
        )
        return str(r.json()["key_id"])

    def first_meeting(self) -> str:
        r = self.svc.client.get(
            f"/v1/events/{self.planned_event}/schedule", headers=self.svc.as_("organiser")
        )
        return str(r.json()["data"][0]["meeting_id"])


def csv_file(text: str) -> dict[str, Any]:
    return {"files": {"file": ("register.csv", text.encode())}}


@dataclass(frozen=True)
class Case:
    method: str
    route: str
    make: Callable[[World], Request]
    expect: dict[str, int]  # role → status; a key without a role here is not expected to call


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def _org(status: int, buyer: int = 403, supplier: int = 403) -> dict[str, int]:
    return {"admin": status, "organiser": status, "buyer": buyer, "supplier": supplier}


REQUIREMENT_OF_B = {"title": "t", "description": "d", "buyer_id": BUYER_B}


def _on_requirement_of_b(method: str, tail: str = "", **kwargs: Any) -> Case:
    """A call on a fresh requirement of BUYER_B: organisers may, the buyer key (BUYER_A) gets 404
    as if it did not exist, the supplier key 403."""
    return Case(
        method,
        f"/v1/requirements/{{requirement_id}}{tail}",
        lambda w: (f"/v1/requirements/{w.other_requirement()}{tail}", kwargs),
        _org(200, buyer=404),
    )


CASES = [
    # suppliers: public profiles for every key, the register managed by organisers
    Case("GET", "/v1/suppliers", lambda w: ("/v1/suppliers", {}), _all(200)),
    Case(
        "POST",
        "/v1/suppliers",
        lambda w: (
            "/v1/suppliers",
            {"json": {"supplier_id": fresh_id("SN"), "name": "n", "description": "d"}},
        ),
        _org(201),
    ),
    Case("GET", "/v1/suppliers/{supplier_id}", lambda w: ("/v1/suppliers/S2", {}), _all(200)),
    Case(
        "PUT",
        "/v1/suppliers/{supplier_id}",
        lambda w: (
            "/v1/suppliers/S2",
            {"json": {"supplier_id": "S2", "name": "Nhựa Sóc Sơn", "description": "Ép phun"}},
        ),
        _org(200),
    ),
    Case(
        "DELETE",
        "/v1/suppliers/{supplier_id}",
        lambda w: (f"/v1/suppliers/{w.fresh_supplier()}", {}),
        _org(200),
    ),
    Case(
        "POST",
        "/v1/suppliers/import",
        lambda w: (
            "/v1/suppliers/import",
            csv_file(f"supplier_id,name,description\n{fresh_id('SI')},Firm,Hàn MIG\n"),
        ),
        _org(200),
    ),
    # requirements: private to their buyer (404 to other buyers), invisible to suppliers
    Case("GET", "/v1/requirements", lambda w: ("/v1/requirements", {}), _org(200, buyer=200)),
    Case(
        "POST",
        "/v1/requirements",
        lambda w: ("/v1/requirements", {"json": REQUIREMENT_OF_B}),
        _org(201, buyer=422),
    ),
    _on_requirement_of_b("GET"),
    _on_requirement_of_b("PUT", json=REQUIREMENT_OF_B),
    _on_requirement_of_b("DELETE"),
    _on_requirement_of_b("GET", "/matches"),
    Case(
        "POST",
        "/v1/requirements/import",
        lambda w: (
            "/v1/requirements/import",
            csv_file(f"requirement_id,buyer,description\n{fresh_id('RI')},Canon Vietnam,ABS\n"),
        ),
        _org(200),
    ),
    Case("POST", "/v1/search", lambda w: ("/v1/search", {"json": {"query": CANARY}}), _all(200)),
    # feedback about another buyer's requirement and another supplier
    Case(
        "POST",
        "/v1/feedback",
        lambda w: (
            "/v1/feedback",
            {
                "json": {
                    "outcome": "met",
                    "supplier_id": "S2",
                    "requirement_id": w.other_requirement(),
                }
            },
        ),
        _org(201, buyer=404, supplier=422),
    ),
    Case("GET", "/v1/feedback", lambda w: ("/v1/feedback", {}), _all(200)),
    # events: organisers only, but each participant fetches its own agenda
    Case("POST", "/v1/events", lambda w: ("/v1/events", {"json": EVENT}), _org(201)),
    Case("GET", "/v1/events", lambda w: ("/v1/events", {}), _org(200)),
    Case(
        "GET", "/v1/events/{event_id}", lambda w: (f"/v1/events/{w.planned_event}", {}), _org(200)
    ),
    Case(
        "POST",
        "/v1/events/{event_id}/participants",
        lambda w: (
            f"/v1/events/{w.fresh_event()}/participants",
            {"json": {"participants": [{"id": "S3", "role": "supplier"}]}},
        ),
        _org(200),
    ),
    Case(
        "POST",
        "/v1/events/{event_id}/plan",
        lambda w: (f"/v1/events/{w.fresh_event()}/plan", {"json": {"top_k": 3}}),
        _org(200),
    ),
    Case(
        "GET",
        "/v1/events/{event_id}/schedule",
        lambda w: (f"/v1/events/{w.planned_event}/schedule", {}),
        _org(200),
    ),
    Case(
        "POST",
        "/v1/events/{event_id}/locks",
        lambda w: (
            f"/v1/events/{w.planned_event}/locks",
            {"json": {"meeting_ids": [w.first_meeting()]}},
        ),
        _org(200),
    ),
    Case(
        "GET",
        "/v1/events/{event_id}/files/{name}",
        lambda w: (f"/v1/events/{w.planned_event}/files/matching_lists.xlsx", {}),
        _org(200),
    ),
    Case(
        "GET",
        "/v1/events/{event_id}/agendas/{participant_id}",
        lambda w: (f"/v1/events/{w.planned_event}/agendas/{BUYER_B}?format=html", {}),
        _org(200, buyer=404, supplier=404),
    ),
    # tiers: supply-network proposals over the whole register, organisers only
    Case(
        "POST",
        "/v1/tiers/propose",
        lambda w: ("/v1/tiers/propose", {"json": {"top_k": 2, "depth": 2}}),
        _org(200),
    ),
    # the learned ranker (#15): organisers only; with no outcomes, training keeps the transparent
    # scorer (200) and there is nothing to roll back to (409)
    Case("POST", "/v1/ranker/train", lambda w: ("/v1/ranker/train", {}), _org(200)),
    Case("GET", "/v1/ranker", lambda w: ("/v1/ranker", {}), _org(200)),
    Case("POST", "/v1/ranker/rollback", lambda w: ("/v1/ranker/rollback", {}), _org(409)),
    # keys: admins only
    Case(
        "POST",
        "/v1/keys",
        lambda w: ("/v1/keys", {"json": {"role": "organiser"}}),
        _org(403) | {"admin": 201},
    ),
    Case("GET", "/v1/keys", lambda w: ("/v1/keys", {}), _org(403) | {"admin": 200}),
    Case(
        "DELETE",
        "/v1/keys/{key_id}",
        lambda w: (f"/v1/keys/{w.fresh_key()}", {}),
        _org(403) | {"admin": 200},
    ),
]


@pytest.fixture(scope="module")
def world(service: Service) -> World:
    w = World(service)
    w.other_requirement()  # BUYER_B's canary requirement takes part in the event
    note = {"outcome": "requested", "supplier_id": "S2", "note": f"call me {CANARY}"}
    service.client.post("/v1/feedback", json=note, headers=service.as_("buyer_b"))
    w.planned_event = w.fresh_event()
    plan = service.client.post(
        f"/v1/events/{w.planned_event}/plan", json={}, headers=service.as_("organiser")
    )
    assert plan.status_code == 200, plan.text
    return w


def _call(world: World, case: Case, headers: dict[str, str]) -> tuple[int, bytes]:
    path, kwargs = case.make(world)
    r = world.svc.client.request(case.method, path, headers=headers, **kwargs)
    return r.status_code, r.content


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.route}")
def test_matrix(world: World, case: Case) -> None:
    seen = {}
    for role in ROLES:
        status, body = _call(world, case, world.svc.as_(role))
        seen[role] = status
        if role == "buyer":
            assert CANARY.encode() not in body, f"{case.route} leaked buyer B's data to buyer A"
    assert seen == case.expect
    assert _call(world, case, {})[0] == 401
    assert _call(world, case, {"X-API-Key": "mk_0000000000000000_forged"})[0] == 401


def _flat(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _flat(dep)


def test_every_route_requires_a_key_and_is_in_the_matrix(world: World) -> None:
    app = world.svc.client.app
    # The web app's pages (/app, session sign-in: tests/web/test_session.py checks their guard)
    # and the API's documentation (/docs, public as /openapi.json is) are not API routes.
    routes = [
        ctx
        for ctx in iter_route_contexts(app.routes)  # type: ignore[attr-defined]
        if isinstance(ctx.original_route, APIRoute)
        and not (ctx.path == "/docs" or ctx.path == "/app" or ctx.path.startswith("/app/"))
    ]
    assert len(routes) > 20
    unguarded = [
        ctx.path
        for ctx in routes
        if ctx.path not in PUBLIC_PATHS and principal not in set(_flat(ctx.dependant))
    ]
    assert unguarded == []
    in_app = {
        (m, ctx.path) for ctx in routes if ctx.path not in PUBLIC_PATHS for m in ctx.methods or ()
    }
    assert in_app == {(c.method, c.route) for c in CASES}
    assert {ctx.path for ctx in routes if ctx.path in PUBLIC_PATHS} == PUBLIC_PATHS


def test_canary_never_reaches_another_buyer(world: World) -> None:
    """Everything buyer A can ask for, including a search for the canary itself."""
    c, a = world.svc.client, world.svc.as_("buyer")
    eid = world.planned_event
    bodies = [
        c.get("/v1/requirements?page_size=200", headers=a),
        c.get("/v1/requirements/R1", headers=a),
        c.get("/v1/requirements/R1/matches", headers=a),
        c.post("/v1/search", json={"query": CANARY, "top_k": 100}, headers=a),
        c.get("/v1/feedback?page_size=200", headers=a),
        c.get("/v1/suppliers?page_size=200", headers=a),
        c.get(f"/v1/events/{eid}/agendas/{BUYER_A}", headers=a),
        c.get(f"/v1/events/{eid}/agendas/{BUYER_A}?format=html", headers=a),
        c.get(f"/v1/events/{eid}/agendas/{BUYER_B}", headers=a),
    ]
    assert [r.status_code for r in bodies[:-1]] == [200] * (len(bodies) - 1)
    for response in bodies:
        assert CANARY not in response.text
    # The canary is there to be found by those who may see it.
    organiser = c.get("/v1/requirements?page_size=200", headers=world.svc.as_("organiser"))
    assert CANARY in organiser.text
    own = c.get("/v1/feedback", headers=world.svc.as_("buyer_b"))
    assert CANARY in own.text
