"""What a proposal reports: the programme KPIs, the gap lists by support track, the chain table, and
the files they are written to (network.json, network.graphml, chains.csv, gaps.xlsx, kpis.json)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from matcher.export import (
    Cover,
    Sheet,
    atomic_path,
    clean_text,
    made_at,
    write_table,
    write_workbook,
)
from matcher.tiers.chain import Chain
from matcher.tiers.network import TierNetwork
from matcher.tiers.qualify import TRACKS, Track


def kpis(network: TierNetwork, all_chains: Sequence[Chain]) -> dict[str, Any]:
    """Programme figures: direct suppliers by sector, links by status and tier, gaps by type."""
    direct = [link for link in network.links if link.tier == 1]
    direct_firms = {link.source for link in direct}
    ready_firms = {link.source for link in direct if link.status == "ready"}
    by_sector: dict[str, dict[str, int]] = {}
    for firm in sorted(direct_firms):
        for code in network.suppliers[firm].supplier.sector or ["?"]:
            row = by_sector.setdefault(code, {"firms": 0, "ready": 0})
            row["firms"] += 1
            row["ready"] += firm in ready_firms
    by_tier: dict[str, dict[str, int]] = {}
    for link in network.links:
        row = by_tier.setdefault(str(link.tier), {"ready": 0, "needs": 0})
        row[link.status] += 1
    gap_kinds: Counter[str] = Counter()
    gap_tracks: Counter[str] = Counter()
    certs: Counter[str] = Counter()
    firms_by_track: dict[str, set[str]] = defaultdict(set)
    for link in network.links:
        for gap in link.gaps:
            gap_kinds[gap.kind] += 1
            gap_tracks[gap.track] += 1
            firms_by_track[gap.track].add(link.source)
            if gap.kind == "certification":
                certs[gap.item] += 1
    deep: Counter[str] = Counter()
    for chain in all_chains:
        if chain.depth >= 2:
            deep[chain.buyer] += 1
    tiers = network.supplier_tiers()
    return {
        "assemblers": len(network.buyers),
        "assemblers_with_chains_depth_2": sum(1 for b in network.buyers if deep[b]),
        "requirements": sum(len(b.requirement_ids) for b in network.buyers.values()),
        "requirements_with_proposal": len({link.requirement_id for link in direct}),
        "firms_in_network": len(tiers),
        "firms_at_several_tiers": sum(1 for t in tiers.values() if len(t) > 1),
        "direct_suppliers": {
            "firms": len(direct_firms),
            "ready_firms": len(ready_firms),
            "already_supplying": len({link.source for link in direct if link.existing}),
            "by_sector": dict(sorted(by_sector.items())),
        },
        "links": {
            "total": len(network.links),
            "ready": sum(1 for link in network.links if link.status == "ready"),
            "needs": sum(1 for link in network.links if link.status == "needs"),
            "by_tier": by_tier,
        },
        "chains": {
            "total": len(all_chains),
            "ready": sum(1 for c in all_chains if c.status == "ready"),
            "max_depth": max((c.depth for c in all_chains), default=0),
            "depth_2_or_more": sum(1 for c in all_chains if c.depth >= 2),
            "by_assembler": {b: deep[b] for b in sorted(network.buyers) if deep[b]},
        },
        "gaps": {
            "by_kind": dict(sorted(gap_kinds.items())),
            "by_track": {t: gap_tracks[t] for t in TRACKS},
            "firms_by_track": {t: len(firms_by_track[t]) for t in TRACKS},
            "by_certification": dict(certs.most_common()),
        },
    }


GAP_COLUMNS = (
    "track",
    "supplier_id",
    "supplier_name",
    "gap_kind",
    "gap",
    "detail",
    "links",
    "customers",
    "requirement_ids",
)
FIRM_COLUMNS = (
    "supplier_id",
    "supplier_name",
    "tiers",
    "links_ready",
    "links_needing",
    *TRACKS,
)


def gap_rows(network: TierNetwork) -> list[dict[str, Any]]:
    """One row per (track, firm, gap), with the links that gap blocks; sorted by track then firm."""
    grouped: dict[tuple[Track, str, str, str], dict[str, Any]] = {}
    for link in network.links:
        for gap in link.gaps:
            key = (gap.track, link.source, gap.kind, gap.item)
            row = grouped.setdefault(
                key,
                {
                    "track": gap.track,
                    "supplier_id": link.source,
                    "supplier_name": network.suppliers[link.source].supplier.name,
                    "gap_kind": gap.kind,
                    "gap": gap.item,
                    "details": {},
                    "customers": {},
                    "requirement_ids": {},
                },
            )
            row["details"].setdefault(gap.detail, None)
            row["customers"].setdefault(link.target, None)
            row["requirement_ids"].setdefault(link.requirement_id, None)
    rows: list[dict[str, Any]] = []
    for track, firm, kind, item in sorted(grouped, key=lambda k: (TRACKS.index(k[0]), *k[1:])):
        row = grouped[(track, firm, kind, item)]
        rows.append(
            {
                **{c: row[c] for c in ("track", "supplier_id", "supplier_name", "gap_kind", "gap")},
                "detail": "; ".join(row["details"]),
                "links": len(row["requirement_ids"]),
                "customers": "; ".join(row["customers"]),
                "requirement_ids": "; ".join(row["requirement_ids"]),
            }
        )
    return rows


def firm_rows(network: TierNetwork, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per proposed firm: its links by status and its gaps per support track."""
    per_track: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        per_track[(row["supplier_id"], row["track"])].append(row["gap"])
    out: list[dict[str, Any]] = []
    for firm, tiers in network.supplier_tiers().items():
        links = [link for link in network.links if link.source == firm]
        out.append(
            {
                "supplier_id": firm,
                "supplier_name": network.suppliers[firm].supplier.name,
                "tiers": "; ".join(map(str, tiers)),
                "links_ready": sum(1 for link in links if link.status == "ready"),
                "links_needing": sum(1 for link in links if link.status == "needs"),
                **{t: "; ".join(per_track.get((firm, t), [])) for t in TRACKS},
            }
        )
    return out


def gaps_cover(network: TierNetwork, rows: Sequence[dict[str, Any]]) -> Cover:
    """What gaps.xlsx holds: the network it was made from and its counts."""
    return [
        ("Supplier network: gaps by support track", ""),
        ("Made", made_at()),
        ("Assemblers", len(network.buyers)),
        ("Firms in the network", len(network.supplier_tiers())),
        ("Links", len(network.links)),
        ("Links needing support", sum(1 for link in network.links if link.status == "needs")),
        ("Gaps (firm × gap)", len(rows)),
        *((f"Gaps: {t}", sum(1 for r in rows if r["track"] == t)) for t in TRACKS),
    ]


def write_gaps_xlsx(network: TierNetwork, path: Path) -> None:
    """gaps.xlsx: a cover, a per-firm summary sheet, then one sheet per support track."""
    rows = gap_rows(network)
    sheets: list[Sheet] = [("by firm", FIRM_COLUMNS, firm_rows(network, rows))]
    sheets += [(t, GAP_COLUMNS, [r for r in rows if r["track"] == t]) for t in TRACKS]
    write_workbook(sheets, path, gaps_cover(network, rows))


CHAIN_COLUMNS = (
    "rank",
    "buyer",
    "buyer_name",
    "requirement_id",
    "path",
    "path_names",
    "depth",
    "score",
    "status",
    "gaps",
)


def firm_name(network: TierNetwork, firm: str) -> str:
    """An assembler's or a supplier's name (its id when the network does not know it)."""
    if firm in network.buyers:
        return network.buyers[firm].name
    if firm in network.suppliers:
        return network.suppliers[firm].supplier.name
    return firm


def chain_rows(
    all_chains: Sequence[Chain], network: TierNetwork | None = None
) -> list[dict[str, Any]]:
    """One row per chain; with ``network``, the firms' names too (``path_names``)."""

    def name(firm: str) -> str:
        return firm_name(network, firm) if network is not None else firm

    return [
        {
            "rank": rank,
            "buyer": c.buyer,
            "buyer_name": name(c.buyer),
            "requirement_id": c.links[0].requirement_id,
            "path": " ← ".join(c.path()),
            "path_names": " ← ".join(name(f) for f in c.path()),
            "depth": c.depth,
            "score": round(c.score, 6),
            "status": c.status,
            "gaps": sum(len(link.gaps) for link in c.links),
        }
        for rank, c in enumerate(all_chains, start=1)
    ]


def _write_json(data: Any, path: Path) -> None:
    # clean_text: a lone surrogate in a firm's name (JSON input can carry one) is not UTF-8.
    with atomic_path(path) as tmp:
        tmp.write_text(clean_text(json.dumps(data, indent=2, ensure_ascii=False)), encoding="utf-8")


def _xml_safe(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph with every text attribute and node name cleaned: GraphML is XML, which refuses
    control characters and lone surrogates."""

    def fix(value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    out = nx.MultiDiGraph()
    for node, attrs in graph.nodes(data=True):
        out.add_node(fix(node), **{k: fix(v) for k, v in attrs.items()})
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        out.add_edge(
            fix(source), fix(target), key=fix(key), **{k: fix(v) for k, v in attrs.items()}
        )
    return out


def write_network(network: TierNetwork, all_chains: Sequence[Chain], out: Path) -> list[str]:
    """network.json, network.graphml, chains.csv, gaps.xlsx and kpis.json into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    _write_json(network.to_json(), out / "network.json")
    with atomic_path(out / "network.graphml") as tmp:
        nx.write_graphml(_xml_safe(network.graph()), tmp)
    write_table(chain_rows(all_chains, network), CHAIN_COLUMNS, out / "chains.csv")
    write_gaps_xlsx(network, out / "gaps.xlsx")
    _write_json(kpis(network, all_chains), out / "kpis.json")
    return ["network.json", "network.graphml", "chains.csv", "gaps.xlsx", "kpis.json"]
