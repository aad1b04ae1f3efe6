from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.events import (
    Bounds,
    CandidatePair,
    MeetingProblem,
    colour_edges,
    colour_schedule,
    equalise,
    schedule,
    slots_lower_bound,
)


def proper(edges: list[tuple[str, str]], colour: list[int]) -> bool:
    seen = set()
    for (u, v), c in zip(edges, colour, strict=True):
        if ("L", u, c) in seen or ("R", v, c) in seen:
            return False
        seen |= {("L", u, c), ("R", v, c)}
    return True


@pytest.fixture
def swaps(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The alternating paths colour_edges swaps, in order (its swap branch, spied on)."""
    seen: list[list[int]] = []
    real = schedule._swap

    def spy(path: Sequence[int], *args: Any) -> None:
        seen.append(list(path))
        real(path, *args)

    monkeypatch.setattr(schedule, "_swap", spy)
    return seen


def test_colouring_without_a_swap_worked_by_hand(swaps: list[list[int]]) -> None:
    # a1-b1 and a2-b2 take colour 0; a1-b2 then finds 1 free at a1 and at b2 (b2 has 0 busy):
    # colour 1. a2-b1 next: a2 and b1 both have 0 busy, 1 free at both.
    edges = [("a1", "b1"), ("a2", "b2"), ("a1", "b2"), ("a2", "b1")]
    assert colour_edges(edges, 2) == [0, 0, 1, 1]
    # The other order: a2-b1 takes 1 (0 busy at a2 and at b1), then a1-b2 takes 1 as well.
    edges = [("a1", "b1"), ("a2", "b2"), ("a2", "b1"), ("a1", "b2")]
    assert colour_edges(edges, 2) == [0, 0, 1, 1]
    assert swaps == []


def test_colouring_swaps_an_alternating_path_worked_by_hand(swaps: list[list[int]]) -> None:
    # a1-b1 (edge 0) and a2-b2 (1) take colour 0, a2-b1 (2) takes 1. a3-b2 (3): 0 is free at a3
    # but busy at b2, where 1 is free; the 0/1 path from b2 runs b2-a2 (0), a2-b1 (1), b1-a1 (0)
    # and ends at a1, which has no 1. Swapped it is 1, 0, 1, and a3-b2 takes 0.
    edges = [("a1", "b1"), ("a2", "b2"), ("a2", "b1"), ("a3", "b2")]
    colour = colour_edges(edges, 2)
    assert swaps == [[1, 2, 0]]
    assert colour == [1, 1, 0, 0] and proper(edges, colour)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 6)), min_size=1, max_size=30, unique=True)
)
def test_koenig_max_degree_colours_suffice(pairs: list[tuple[int, int]]) -> None:
    edges = [(f"b{u}", f"s{v}") for u, v in pairs]
    degree = Counter([("L", u) for u, _ in edges] + [("R", v) for _, v in edges])
    delta = max(degree.values())
    colour = colour_edges(edges, delta)
    assert proper(edges, colour) and max(colour) < delta
    even = equalise(edges, colour, delta)
    assert proper(edges, even)
    sizes = Counter(even)
    assert max(sizes.values()) - min(sizes.get(c, 0) for c in range(delta)) <= 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 5)), min_size=1, max_size=20, unique=True),
    st.integers(1, 4),
)
def test_caps_only_schedule_uses_the_lower_bound_of_slots(
    pairs: list[tuple[int, int]], tables: int
) -> None:
    cands = [CandidatePair(f"b{u}", f"s{v}", 0.5) for u, v in pairs]
    problem = MeetingProblem(
        n_slots=40,
        n_tables=tables,
        buyers={f"b{u}": Bounds(0, 40) for u, _ in pairs},
        suppliers={f"s{v}": Bounds(0, 40) for _, v in pairs},
        candidates=cands,
    )
    chosen = list(range(len(cands)))
    slot_of = colour_schedule(problem, chosen)
    bound = slots_lower_bound(problem, chosen)
    assert len(set(slot_of.values())) == bound
    per_slot = Counter(slot_of.values())
    assert max(per_slot.values()) <= tables
    busy = Counter((cands[c].buyer, s) for c, s in slot_of.items())
    busy += Counter((cands[c].supplier, s) for c, s in slot_of.items())
    assert max(busy.values()) == 1
