from __future__ import annotations

import numpy as np
import pytest

from matcher.encoders.local import HashingEncoder, TfidfEncoder
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
