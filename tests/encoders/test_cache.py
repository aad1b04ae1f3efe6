from __future__ import annotations

from pathlib import Path

import numpy as np

from matcher.encoders.cache import CachedEncoder, EmbeddingCache
from matcher.encoders.local import HashingEncoder


class CountingEncoder(HashingEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def _encode(self, texts, side):  # type: ignore[no-untyped-def]
        self.seen.extend(texts)
        return super()._encode(texts, side)


def test_cache_embeds_only_new_or_changed_texts(tmp_path: Path) -> None:
    inner = CountingEncoder()
    first = CachedEncoder(inner, EmbeddingCache(tmp_path / "c.sqlite"))
    v1 = first.encode_suppliers(["a profile", "b profile"])
    assert inner.seen == ["a profile", "b profile"]
    inner.seen.clear()
    second = CachedEncoder(inner, EmbeddingCache(tmp_path / "c.sqlite"))  # a later run
    v2 = second.encode_suppliers(["a profile", "b profile changed", "a profile"])
    assert inner.seen == ["b profile changed"]
    assert (second.hits, second.misses) == (2, 1)
    np.testing.assert_allclose(v2[0], v1[0])
    np.testing.assert_allclose(v2[2], v1[0])
    # The requirement side is cached separately (e5 embeds it with another prefix).
    second.encode_requirements(["a profile"])
    assert inner.seen == ["b profile changed", "a profile"]


def test_empty_input_is_an_empty_matrix_of_the_inner_width(tmp_path: Path) -> None:
    cached = CachedEncoder(CountingEncoder(), EmbeddingCache(tmp_path / "c.sqlite"))
    assert cached.encode_suppliers([]).shape == (0, 512)
    assert cached.inner.seen == []  # type: ignore[attr-defined]
