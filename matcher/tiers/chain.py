"""Chains: the paths assembler ← tier-1 ← tier-2 … through a proposed network, scored by the
geometric mean of their links."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from matcher.tiers.network import Link, Status, TierNetwork

_EPSILON = 1e-6


@dataclass(frozen=True)
class Chain:
    """A path buyer ← tier-1 ← tier-2 …; its score is the geometric mean of the link scores."""

    links: tuple[Link, ...]  # from the buyer's link downwards

    @property
    def buyer(self) -> str:
        return self.links[0].target

    @property
    def depth(self) -> int:
        return len(self.links)

    @property
    def score(self) -> float:
        # Geometric mean: one weak link pulls the chain down more than an arithmetic mean would,
        # yet chains of different depths stay comparable (a product would punish depth).
        logs = [math.log(max(link.score, _EPSILON)) for link in self.links]
        return math.exp(sum(logs) / len(logs))

    @property
    def status(self) -> Status:
        return "ready" if all(link.status == "ready" for link in self.links) else "needs"

    def path(self) -> list[str]:
        return [self.buyer, *(link.source for link in self.links)]


def chains(network: TierNetwork) -> list[Chain]:
    """Every maximal chain from an assembler down the proposed links, best score first."""
    supplied_by: dict[str, list[Link]] = defaultdict(list)
    for link in network.links:
        if link.tier > 1:
            supplied_by[link.target].append(link)
    out: list[Chain] = []

    def walk(prefix: tuple[Link, ...]) -> None:
        below = [
            link for link in supplied_by.get(prefix[-1].source, []) if link.tier > prefix[-1].tier
        ]
        if not below:
            out.append(Chain(prefix))
        for link in below:
            walk((*prefix, link))

    for link in network.links:
        if link.tier == 1:
            walk((link,))
    out.sort(key=lambda c: (-c.score, c.path()))
    return out
