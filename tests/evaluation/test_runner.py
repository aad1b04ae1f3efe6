"""The suite runner's single-signal methods: the engine's own signals, each ranking alone."""

from __future__ import annotations

import pytest

from matcher.config import Settings
from matcher.evaluation import SIGNAL_METHODS, SIGNALS, load_suite, suite_runs


@pytest.mark.slow
def test_each_signal_alone_ranks_the_engines_candidates_by_that_signal(
    hashing_settings: Settings,
) -> None:
    suite = load_suite("sample")
    runs, seconds = suite_runs(suite, ["engine", *SIGNAL_METHODS], "test", hashing_settings)
    assert tuple(f"{s}-alone" for s in SIGNALS) == SIGNAL_METHODS
    queries = {q.requirement_id for q in suite.part("test")}
    for method in ("engine", *SIGNAL_METHODS):
        assert set(runs[method]) == queries, method
        assert seconds[method] >= 0
        for ranked in runs[method].values():
            scores = list(ranked.values())
            assert 0 < len(scores) <= 10 and scores == sorted(scores, reverse=True), method
    # BM25 and the translated field are scaled by their best candidate, min-max for dense: the
    # first of each list is that requirement's best candidate for that signal.
    for method in ("dense-alone", "lexical-alone", "translated-alone"):
        assert all(next(iter(r.values())) == 1.0 for r in runs[method].values()), method
    # Different signals order the same candidates differently.
    tops = {m: [list(r)[:3] for r in runs[m].values()] for m in SIGNAL_METHODS}
    assert len({str(t) for t in tops.values()}) == len(SIGNAL_METHODS)
