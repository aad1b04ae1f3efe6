"""The network model: the network.json contract relied on from outside (docs/tiers.md)."""

from __future__ import annotations

import json

from matcher.tiers import TRACKS, TierNetwork


def test_network_json_contract(network: TierNetwork) -> None:
    data = json.loads(json.dumps(network.to_json()))
    assert set(data) == {"nodes", "edges"}
    ids = {n["id"] for n in data["nodes"]}
    assert len(ids) == len(data["nodes"])
    kinds = {n["id"]: n["kind"] for n in data["nodes"]}
    for node in data["nodes"]:
        assert {"id", "kind", "tier"} <= set(node)
        assert node["kind"] in ("buyer", "supplier")
        assert (node["tier"] == 0) == (node["kind"] == "buyer")
    assert sum(k == "buyer" for k in kinds.values()) == 3
    for edge in data["edges"]:
        assert {"source", "target", "requirement_id", "score", "status", "gaps"} <= set(edge)
        assert kinds[edge["source"]] == "supplier" and edge["target"] in ids
        assert edge["status"] in ("ready", "needs")
        assert isinstance(edge["gaps"], list) and isinstance(edge["score"], float)
        assert (edge["status"] == "ready") == (edge["gaps"] == [])
        assert all(g["track"] in TRACKS for g in edge["gaps"])
