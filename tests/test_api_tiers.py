"""POST /v1/tiers/propose: the network.json contract plus KPIs over the workspace (issue #6)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import ApiSettings
from matcher.jobs import ingest_file
from matcher.store import Workspace
from tests.conftest import SAMPLE, hashing

LIMITS = ApiSettings(rate_per_minute=1e9, rate_burst=10**9)


def _slice(source: Path, target: Path, rows: int) -> Path:
    """The header and the first ``rows`` records of a sample CSV (cells may span lines)."""
    with source.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        kept = [next(reader)] + [row for _, row in zip(range(rows), reader, strict=False)]
    with target.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(kept)
    return target


@pytest.fixture(scope="module")
def service(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    root = tmp_path_factory.mktemp("api-tiers")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MATCHER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
        ingest_file(root, "suppliers", _slice(SAMPLE / "suppliers.csv", root / "s.csv", 150))
        ingest_file(root, "requirements", _slice(SAMPLE / "requirements.csv", root / "r.csv", 16))
        ws = Workspace(root)
        keys = {
            "organiser": ws.create_api_key("organiser")[1],
            "buyer": ws.create_api_key("buyer", buyer_id="honda-vietnam")[1],
            "supplier": ws.create_api_key("supplier", supplier_id="S0001")[1],
        }
        with TestClient(create_app(root, hashing(), LIMITS)) as client:
            yield client, keys


def test_organiser_gets_the_network_contract(
    service: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = service
    r = client.post(
        "/v1/tiers/propose",
        json={"top_k": 3, "lower_top_k": 2, "depth": 2},
        headers={"X-API-Key": keys["organiser"]},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"nodes", "edges", "kpis"}
    nodes = {n["id"]: n for n in body["nodes"]}
    assert all({"id", "kind", "tier"} <= set(n) for n in nodes.values())
    assert {n["kind"] for n in nodes.values()} == {"buyer", "supplier"}
    assert body["edges"]
    for edge in body["edges"]:
        assert {"source", "target", "requirement_id", "score", "status", "gaps"} <= set(edge)
        assert edge["status"] in ("ready", "needs")
        assert (edge["status"] == "ready") == (edge["gaps"] == [])
        assert edge["source"] in nodes and edge["target"] in nodes
    assert any(e["tier"] == 2 for e in body["edges"])
    assert body["kpis"]["chains"]["max_depth"] >= 2
    assert body["kpis"]["assemblers_with_chains_depth_2"] >= 1
    assert body["kpis"]["chains"]["by_assembler"]


def test_buyer_selection_and_bad_buyer(service: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = service
    org = {"X-API-Key": keys["organiser"]}
    r = client.post("/v1/tiers/propose", json={"buyers": ["Honda"], "depth": 1}, headers=org)
    assert r.status_code == 200, r.text
    buyers = [n["id"] for n in r.json()["nodes"] if n["kind"] == "buyer"]
    assert buyers == ["Honda Vietnam"]  # the sample file gives no buyer_id: the name is the id
    assert {e["tier"] for e in r.json()["edges"]} == {1}
    missing = client.post("/v1/tiers/propose", json={"buyers": ["Nobody Corp"]}, headers=org)
    assert missing.status_code == 422 and "Nobody Corp" in missing.json()["detail"]
    too_deep = client.post("/v1/tiers/propose", json={"depth": 4}, headers=org)
    assert too_deep.status_code == 422


@pytest.mark.parametrize("role", ["buyer", "supplier"])
def test_other_roles_are_refused(service: tuple[TestClient, dict[str, str]], role: str) -> None:
    client, keys = service
    r = client.post("/v1/tiers/propose", json={}, headers={"X-API-Key": keys[role]})
    assert r.status_code == 403


def test_empty_workspace_is_a_conflict(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    _, secret = ws.create_api_key("organiser")
    with TestClient(create_app(tmp_path, hashing(), LIMITS)) as client:
        r = client.post("/v1/tiers/propose", json={}, headers={"X-API-Key": secret})
    assert r.status_code == 409
    assert "0 supplier(s)" in r.json()["detail"]


@pytest.mark.parametrize("certifications", ["gap", "filter"])
def test_the_service_proposes_over_the_live_index_what_the_batch_job_proposes(
    service: tuple[TestClient, dict[str, str]], tmp_path: Path, certifications: str
) -> None:
    """The route reads the live index's snapshot (no Engine per request); its network equals
    `propose_network` building an Engine over the same register and requirements."""
    from matcher.tiers import kpis, propose_network

    client, keys = service
    options = {"top_k": 3, "lower_top_k": 2, "depth": 2, "certifications": certifications}
    served = client.post(
        "/v1/tiers/propose", json=options, headers={"X-API-Key": keys["organiser"]}
    )
    assert served.status_code == 200, served.text
    ws = client.app.state.context.workspace
    network, all_chains = propose_network(
        ws.suppliers(), ws.requirements(), settings=hashing(), cache_path=None, **options
    )
    assert served.json() == {**network.to_json(), "kpis": kpis(network, all_chains)}


def test_an_edit_through_the_api_is_proposed_at_once(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    ingest_file(root, "suppliers", _slice(SAMPLE / "suppliers.csv", tmp_path / "s.csv", 60))
    ingest_file(root, "requirements", _slice(SAMPLE / "requirements.csv", tmp_path / "r.csv", 6))
    key = Workspace(root).create_api_key("organiser")[1]
    with TestClient(create_app(root, hashing(), LIMITS)) as client:
        headers = {"X-API-Key": key}
        before = client.post("/v1/tiers/propose", json={"depth": 1}, headers=headers).json()
        firms = {e["source"] for e in before["edges"]}
        gone = sorted(firms)[0]
        assert client.delete(f"/v1/suppliers/{gone}", headers=headers).status_code == 200
        after = client.post("/v1/tiers/propose", json={"depth": 1}, headers=headers).json()
        assert gone not in {n["id"] for n in after["nodes"]}
        assert gone not in {e["source"] for e in after["edges"]}
