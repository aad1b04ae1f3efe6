"""Chains on the sample register: depth two for every assembler asked, scored by geometric mean."""

from __future__ import annotations

import math

import pytest

from matcher.tiers import Chain


def test_sample_has_three_assemblers_with_chains_of_depth_two(all_chains: list[Chain]) -> None:
    deep = {c.buyer for c in all_chains if c.depth >= 2}
    assert len(deep) >= 3


def test_chain_score_is_the_geometric_mean(all_chains: list[Chain]) -> None:
    chain = next(c for c in all_chains if c.depth == 2)
    a, b = (link.score for link in chain.links)
    assert chain.score == pytest.approx(math.sqrt(a * b))
    assert [c.score for c in all_chains] == sorted((c.score for c in all_chains), reverse=True)
