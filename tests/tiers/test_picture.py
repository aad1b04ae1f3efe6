"""The picture: the chosen chains' firms and links, drawn with one SVG artist each."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from matcher.errors import ConfigError
from matcher.tiers import Chain, TierNetwork, draw_picture, picture_graph

SVG = "{http://www.w3.org/2000/svg}"


def _svg_counts(path: Path) -> tuple[int, int, int]:
    root = ET.parse(path).getroot()
    groups = list(root.iter(f"{SVG}g"))
    nodes = sum(
        len(list(g.iter(f"{SVG}use"))) for g in groups if g.get("id", "").startswith("nodes-")
    )
    edges = sum(g.get("id", "").startswith("edge-") for g in groups)
    labels = sum(g.get("id", "").startswith("label-") for g in groups)
    return nodes, edges, labels


def test_picture_renders_the_expected_nodes_and_edges(
    network: TierNetwork, all_chains: list[Chain], tmp_path: Path
) -> None:
    graph = picture_graph(network, all_chains, buyer="Honda", max_chains=6)
    chosen = sorted(
        (c for c in all_chains if c.buyer == "Honda Vietnam"), key=lambda c: (-c.depth, -c.score)
    )[:6]
    assert set(graph) == {n for c in chosen for n in c.path()}
    assert set(graph.edges) == {(link.source, link.target) for c in chosen for link in c.links}
    paths = [tmp_path / "honda.svg", tmp_path / "honda.png"]
    draw_picture(graph, paths, "Honda")
    assert _svg_counts(paths[0]) == (graph.number_of_nodes(), graph.number_of_edges(), len(graph))
    assert paths[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ConfigError, match="buyers:"):
        picture_graph(network, all_chains, buyer="Nobody")
