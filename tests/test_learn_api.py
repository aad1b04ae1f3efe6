"""End to end (issue #15): outcomes posted through the API, then `matcher learn train`, change
the next /v1/search of that workspace; `matcher learn rollback` restores it exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.config import ApiSettings
from matcher.cli import app as cli
from matcher.evaluation.suites import load_suite
from matcher.jobs import ingest_file
from matcher.learn import Buyer, simulate
from matcher.services.ranker import candidate_tables
from matcher.store import Workspace
from tests.conftest import SAMPLE, hashing

pytestmark = pytest.mark.slow  # the sample register, 1,000 outcomes posted, one training: ~20 s
QUERY = "progressive die stamping of SUS304 shield cans"


def _search(client: TestClient, key: str) -> list[tuple[str, float, str]]:
    answer = client.post("/v1/search", json={"query": QUERY, "top_k": 10}, headers=key_of(key))
    assert answer.status_code == 200, answer.text
    return [(m["supplier_id"], m["score"], m["explanation"]) for m in answer.json()["data"]]


def key_of(secret: str) -> dict[str, str]:
    return {"X-API-Key": secret}


def test_outcomes_through_the_api_then_learn_change_search_and_rollback_restores(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ws"
    ingest_file(root, "suppliers", SAMPLE / "suppliers.csv")
    ingest_file(root, "requirements", SAMPLE / "requirements.csv")
    ws = Workspace(root)
    organiser = ws.create_api_key("organiser")[1]
    buyer = ws.create_api_key("buyer", buyer_id="samsung-electronics-vietnam")[1]
    app = create_app(root, hashing(), ApiSettings(rate_per_minute=1e9, rate_burst=10**9))
    runner = CliRunner()
    with TestClient(app) as client:
        before = _search(client, buyer)
        assert "learned from outcomes" not in before[0][2]
        status = client.get("/v1/ranker", headers=key_of(organiser)).json()
        assert status["active"]["version"] is None  # the transparent scorer

        # Outcomes of re-asked sample requirements, posted as an organiser reports them.
        index = app.state.context.index
        snapshot = index.engine_view(["certifications"]).snapshot
        base = ws.requirements()
        tables = candidate_tables(
            snapshot.engine, snapshot.retriever, snapshot.suppliers, base, ["certifications"], 30
        )
        sim = simulate(tables, 1000, seed=7, relevance=load_suite("sample").qrels)
        by_id = {r.requirement_id: r for r in base}
        copies = [
            by_id[sim.base_of[rid]].model_copy(
                update={"requirement_id": rid, "extra": _extra(table.buyer)}
            )
            for rid, table in sim.tables.items()
        ]
        ws.upsert_requirements(copies)
        for o in sim.outcomes:
            body = {
                "outcome": o.outcome,
                "supplier_id": o.supplier_id,
                "requirement_id": o.requirement_id,
            }
            answer = client.post("/v1/feedback", json=body, headers=key_of(organiser))
            assert answer.status_code == 201, answer.text

        learnt = runner.invoke(
            cli, ["learn", "train", "--workspace", str(root), "--encoder", "hashing"]
        )
        assert learnt.exit_code == 0, learnt.output
        assert "promoted" in learnt.output and "not promoted" not in learnt.output, learnt.output
        after = _search(client, buyer)
        assert [m[0] for m in after] != [m[0] for m in before]
        assert all("learned from outcomes" in m[2] for m in after)
        status = client.get("/v1/ranker", headers=key_of(organiser)).json()
        version = status["active"]["version"]
        assert version is not None and status["active"]["report"]["promoted"]
        assert (
            status["active"]["report"]["window"]["train_from"]
            < status["active"]["report"]["window"]["train_to"]
        )
        assert client.get("/v1/ranker", headers=key_of(buyer)).status_code == 403
        shown = runner.invoke(cli, ["learn", "status", "--workspace", str(root)])
        assert shown.exit_code == 0 and version in shown.output, shown.output

        rolled = runner.invoke(cli, ["learn", "rollback", "--workspace", str(root)])
        assert rolled.exit_code == 0, rolled.output
        assert "transparent" in rolled.output
        assert _search(client, buyer) == before  # ids, scores and explanations, exactly
        again = client.post("/v1/ranker/rollback", headers=key_of(organiser))
        assert again.status_code == 409  # nothing before the transparent scorer


def _extra(buyer: Buyer) -> dict[str, str]:
    return {"buyer_country": buyer.country or "", "buyer_language": buyer.language or ""}
