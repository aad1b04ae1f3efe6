"""The network model: assemblers, proposed firms by tier and the links between them, with the
``network.json`` contract and a networkx graph of it."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx

from matcher.normalise import NormalisedSupplier
from matcher.schemas import Requirement
from matcher.tiers.qualify import Gap, Needs

Status = Literal["ready", "needs"]


@dataclass(frozen=True)
class Link:
    """A proposed supply link: ``source`` supplies ``target`` for ``requirement_id``."""

    source: str
    target: str
    requirement_id: str
    tier: int  # the source's tier in this link: 1 supplies an assembler directly
    rank: int
    score: float
    gaps: tuple[Gap, ...]
    existing: bool  # the source already lists the target among its customers
    preferred_missing: tuple[str, ...] = ()

    @property
    def status(self) -> Status:
        return "needs" if self.gaps else "ready"


@dataclass(frozen=True)
class Buyer:
    buyer_id: str
    name: str
    sectors: tuple[str, ...]
    requirement_ids: tuple[str, ...]


@dataclass
class TierNetwork:
    """Assemblers, proposed firms by tier, and the links between them."""

    buyers: dict[str, Buyer]
    suppliers: dict[str, NormalisedSupplier]
    requirements: dict[str, Requirement]
    needs: dict[str, Needs]
    links: list[Link]
    inputs: dict[str, list[str]] = field(default_factory=dict)  # firm → its input requirement ids

    def supplier_tiers(self) -> dict[str, list[int]]:
        tiers: dict[str, set[int]] = defaultdict(set)
        for link in self.links:
            tiers[link.source].add(link.tier)
        return {s: sorted(t) for s, t in sorted(tiers.items())}

    def nodes(self) -> list[dict[str, Any]]:
        """The network.json nodes: buyers (tier 0) then suppliers (their nearest tier)."""
        rows: list[dict[str, Any]] = [
            {
                "id": b.buyer_id,
                "kind": "buyer",
                "tier": 0,
                "name": b.name,
                "sectors": list(b.sectors),
                "requirements": list(b.requirement_ids),
            }
            for b in self.buyers.values()
        ]
        for supplier_id, tiers in self.supplier_tiers().items():
            s = self.suppliers[supplier_id].supplier
            rows.append(
                {
                    "id": supplier_id,
                    "kind": "supplier",
                    "tier": tiers[0],
                    "tiers": tiers,
                    "name": s.name,
                    "name_en": s.name_en,
                    "sectors": list(s.sector),
                    "current_tier": s.tier,
                    "customers": list(s.customers),
                    "products": list(s.products),
                    "inputs": self.inputs.get(supplier_id, []),
                }
            )
        return rows

    def edges(self) -> list[dict[str, Any]]:
        return [
            {
                "source": link.source,
                "target": link.target,
                "requirement_id": link.requirement_id,
                "score": link.score,
                "status": link.status,
                "gaps": [g.as_dict() for g in link.gaps],
                "tier": link.tier,
                "rank": link.rank,
                "existing": link.existing,
                "preferred_missing": list(link.preferred_missing),
            }
            for link in self.links
        ]

    def to_json(self) -> dict[str, Any]:
        return {"nodes": self.nodes(), "edges": self.edges()}

    def graph(self) -> nx.MultiDiGraph:
        """The network as a networkx multigraph (GraphML-safe scalar attributes)."""
        g = nx.MultiDiGraph()
        for node in self.nodes():
            attrs = {
                k: "; ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v)
                for k, v in node.items()
                if k != "id"
            }
            g.add_node(node["id"], **attrs)
        for edge in self.edges():
            attrs = {k: v for k, v in edge.items() if k not in ("source", "target")}
            attrs["gaps"] = json.dumps(attrs["gaps"], ensure_ascii=False)
            attrs["preferred_missing"] = "; ".join(attrs["preferred_missing"])
            g.add_edge(edge["source"], edge["target"], key=edge["requirement_id"], **attrs)
        return g
