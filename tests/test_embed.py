from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matcher.embed import (
    CachedEncoder,
    EmbeddingCache,
    HashingEncoder,
    TfidfEncoder,
    get_encoder,
)
from matcher.errors import EncoderError


def test_hashing_encoder_is_deterministic_and_normalised() -> None:
    enc = HashingEncoder()
    a = enc.encode_suppliers(["dập kim loại", "ép phun nhựa"])
    b = HashingEncoder().encode_suppliers(["dập kim loại", "ép phun nhựa"])
    assert a.dtype == np.float32 and a.shape == (2, 512)
    np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-5)


def test_tfidf_must_be_fitted_and_ranks_overlap() -> None:
    enc = TfidfEncoder()
    with pytest.raises(EncoderError, match="fitted"):
        enc.encode_requirements(["x"])
    docs = ["metal stamping steel brackets", "cotton fabric weaving", "pcb smt assembly"]
    enc.fit(docs)
    sims = enc.encode_suppliers(docs) @ enc.encode_requirements(["stamping brackets"])[0]
    assert int(np.argmax(sims)) == 0


def test_unknown_encoder_lists_choices() -> None:
    with pytest.raises(EncoderError, match="use one of e5, e5-onnx, e5-onnx-int8, minilm, tfidf"):
        get_encoder("bert-large")


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
