"""The picture: the best chains of one assembler (or one sector) as a layered graph, drawn with
networkx and matplotlib to PNG / SVG."""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import networkx as nx

from matcher.errors import ConfigError
from matcher.export import atomic_path
from matcher.normalise import fold
from matcher.schemas import Requirement
from matcher.tiers.chain import Chain
from matcher.tiers.network import TierNetwork

_TIER_COLOURS = ("#1f4e79", "#2e86c1", "#85c1e9", "#d6eaf8")
_STATUS_COLOURS = {"ready": "#1e8449", "needs": "#d35400"}
_COMPANY_WORDS = re.compile(
    r"\b(Công ty|TNHH|MTV|Cổ phần|CTCP|Co\.,? ?Ltd\.?|JSC|Company|Limited|Ltd\.?)\b", re.IGNORECASE
)


def short_name(name: str) -> str:
    """A firm's name without its company-type words, for picture labels."""
    return re.sub(r"\s+", " ", _COMPANY_WORDS.sub(" ", name)).strip(" ,.") or name


def picture_graph(
    network: TierNetwork,
    all_chains: Sequence[Chain],
    buyer: str | None = None,
    sector: str | None = None,
    max_chains: int = 12,
) -> nx.DiGraph:
    """The best chains of one assembler (or one sector) as a layered graph to draw.

    Parallel links between two firms are drawn once: the best score, "ready" if any is ready.
    """
    if (buyer is None) == (sector is None):
        raise ConfigError("draw either one buyer or one sector")
    if buyer is not None:
        key = fold(buyer)
        found = network.buyers.values()
        ids = {b.buyer_id for b in found if key in (fold(b.buyer_id), fold(b.name))}
        ids = ids or {b.buyer_id for b in found if key in fold(b.name)}
        if not ids:
            choices = ", ".join(sorted(network.buyers))
            raise ConfigError(f"--picture-buyer {buyer!r} is not in the network; buyers: {choices}")
        chosen = [c for c in all_chains if c.buyer in ids]
    else:
        code = (sector or "").strip().upper()
        chosen = [
            c
            for c in all_chains
            if code
            in (
                network.requirements[c.links[0].requirement_id].sector
                or network.buyers[c.buyer].sectors
            )
        ]
        if not chosen:
            raise ConfigError(f"--picture-sector {sector!r}: no proposed chain in that sector")
    chosen = sorted(chosen, key=lambda c: (-c.depth, -c.score, c.path()))[:max_chains]
    layer: dict[str, int] = {}
    for c in chosen:
        for position, node in enumerate(c.path()):
            layer[node] = min(layer.get(node, position), position)
    g = nx.DiGraph()
    # Nodes are added layer by layer, each ordered by where its customers sit, so that the
    # layout (which keeps insertion order within a layer) crosses fewer edges.
    order: dict[str, float] = {}
    for depth in range(max(layer.values(), default=-1) + 1):
        here = [n for n in layer if layer[n] == depth]
        for n in here:
            above = [order[t] for c in chosen for s, t in _pairs(c) if s == n and t in order]
            order[n] = sum(above) / len(above) if above else 0.0
        for index, n in enumerate(sorted(here, key=lambda n: (order[n], n))):
            order[n] = float(index)
            g.add_node(n, layer=depth, label=_label(network, n))
    for c in chosen:
        for link in c.links:
            old = g.get_edge_data(link.source, link.target)
            status = link.status
            if old is not None:
                status = "ready" if "ready" in (status, old["status"]) else "needs"
                score = max(old["score"], link.score)
            else:
                score = link.score
            g.add_edge(link.source, link.target, score=score, status=status)
    return g


def _pairs(chain: Chain) -> list[tuple[str, str]]:
    return [(link.source, link.target) for link in chain.links]


def _label(network: TierNetwork, node: str) -> str:
    if node in network.buyers:
        return textwrap.fill(network.buyers[node].name, 16)
    s = network.suppliers[node].supplier
    name = textwrap.shorten(short_name(s.name_en or s.name), 34, placeholder="…")
    return f"{node}\n" + textwrap.fill(name, 17)


def draw_picture(graph: nx.DiGraph, paths: Sequence[Path], title: str) -> None:
    """Draw a layered network (buyer on top) to each path (.png / .svg), atomically.

    Artists carry SVG ids (nodes-tier-N, edge-N, label-N) so a test or a reader can count them.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    layers = nx.get_node_attributes(graph, "layer")
    widest = max(Counter(layers.values()).values(), default=1)
    depth = max(layers.values(), default=0) + 1
    fig = Figure(figsize=(max(8.0, 1.7 * widest), 2.4 * depth + 1.6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    pos = nx.multipartite_layout(graph, subset_key="layer", align="horizontal", scale=widest)
    # multipartite_layout stacks layers bottom-up; put the assembler on top.
    pos = {n: (x, -float(layers[n])) for n, (x, _) in pos.items()}
    for tier in range(depth):
        nodes = [n for n in graph if layers[n] == tier]
        collection = nx.draw_networkx_nodes(
            graph,
            pos,
            nodelist=nodes,
            ax=ax,
            node_shape="s" if tier == 0 else "o",
            node_size=1400 if tier == 0 else 700,
            node_color=_TIER_COLOURS[min(tier, len(_TIER_COLOURS) - 1)],
            edgecolors="#34495e",
        )
        collection.set_gid(f"nodes-tier-{tier}")
    edges = list(graph.edges(data=True))
    arrows = nx.draw_networkx_edges(
        graph,
        pos,
        edgelist=[(u, v) for u, v, _ in edges],
        ax=ax,
        arrows=True,
        arrowstyle="-|>",
        arrowsize=12,
        edge_color=[_STATUS_COLOURS[d["status"]] for _, _, d in edges],
        width=[0.8 + 2.5 * float(d["score"]) for _, _, d in edges],
        style=["solid" if d["status"] == "ready" else "dashed" for _, _, d in edges],
        node_size=900,
        # Curved, so that a link between two firms of one layer does not run through a third.
        connectionstyle="arc3,rad=0.12",
    )
    for index, arrow in enumerate(arrows):
        arrow.set_gid(f"edge-{index}")
    # Labels sit under their node, where no edge of a layered drawing arrives.
    label_pos = {n: (x, y - 0.16) for n, (x, y) in pos.items()}
    labels = nx.draw_networkx_labels(
        graph,
        label_pos,
        labels=nx.get_node_attributes(graph, "label"),
        ax=ax,
        font_size=7,
        verticalalignment="top",
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
    )
    for index, text in enumerate(labels.values()):
        text.set_gid(f"label-{index}")
    legend = [
        Line2D([0], [0], color=_STATUS_COLOURS["ready"], lw=2, label="ready"),
        Line2D([0], [0], color=_STATUS_COLOURS["needs"], lw=2, ls="--", label="needs (gaps)"),
    ]
    legend += [
        Line2D(
            [0],
            [0],
            marker="s" if t == 0 else "o",
            color="w",
            markersize=10,
            markerfacecolor=_TIER_COLOURS[t],
            label="assembler" if t == 0 else f"tier {t}",
        )
        for t in range(min(depth, len(_TIER_COLOURS)))
    ]
    ax.legend(
        handles=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False
    )
    ax.set_title(title, fontsize=10)
    ax.margins(x=0.08, y=0.15)
    ax.set_axis_off()
    fig.tight_layout()
    for path in paths:
        with atomic_path(path) as tmp, matplotlib.rc_context({"svg.fonttype": "none"}):
            fig.savefig(tmp, format=path.suffix.lstrip(".").lower(), dpi=150)


def busiest_buyer(all_chains: Sequence[Chain], requirements: Sequence[Requirement]) -> str:
    """The buyer with the most chains of depth ≥ 2 (the first buyer on ties)."""
    order = {r.buyer_id or r.buyer: i for i, r in reversed(list(enumerate(requirements)))}
    counts = Counter(c.buyer for c in all_chains if c.depth >= 2) or Counter(
        c.buyer for c in all_chains
    )
    return min(counts, key=lambda b: (-counts[b], order.get(b, 0)))
