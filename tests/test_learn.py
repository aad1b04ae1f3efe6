"""The weight tuner: coordinate ascent over the ranker's features."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.learn import coordinate_ascent, mean_ndcg
from matcher.rank import FEATURES


def test_coordinate_ascent_finds_the_informative_feature() -> None:
    rng = np.random.default_rng(0)
    features = []
    qrels = {}
    good = FEATURES.index("taxonomy")
    for q in range(30):
        matrix = rng.random((20, len(FEATURES))).astype(np.float32)
        ids = [f"d{i}" for i in range(20)]
        relevant = int(np.argmax(matrix[:, good]))
        qrels[f"q{q}"] = {ids[relevant]: 1}
        features.append((f"q{q}", ids, matrix))
    # Noise weights that together outweigh what one step can give the informative feature
    # would trap a one-weight-at-a-time search; start them small.
    start = dict.fromkeys(FEATURES, 0.05)
    before = mean_ndcg(features, start, qrels)
    weights, after = coordinate_ascent(features, qrels, start)
    assert before < 0.6 and after > 0.85
    assert max(weights, key=weights.__getitem__) == "taxonomy"
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-3)
