"""The shared encode loop: batches of the caller's size, progress per batch, unit rows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.encoders.base import Encoder, Side, Vectors


class LengthEncoder(Encoder):
    """(len(text), 0, 0) per text, unnormalised; remembers its batch sizes."""

    model_id = "length"

    def __init__(self) -> None:
        self.batches: list[int] = []

    @property
    def dim(self) -> int:
        return 3

    def _encode(self, texts: Sequence[str], side: Side) -> Vectors:
        self.batches.append(len(texts))
        return np.array([[len(t), 0, 0] for t in texts], dtype=np.float32)


def test_batches_progress_and_unit_rows() -> None:
    enc = LengthEncoder()
    seen: list[int] = []
    vectors = enc.encode_suppliers(["ab", "", "abc", "d", "ef"], batch_size=2, progress=seen.append)
    assert enc.batches == [2, 2, 1] and seen == [2, 2, 1]
    # Rows are scaled to length 1; the empty text's zero row stays zero.
    np.testing.assert_array_equal(vectors[:, 0], [1, 0, 1, 1, 1])
    assert vectors.dtype == np.float32 and vectors.flags.c_contiguous


def test_empty_input_needs_no_backend_call() -> None:
    enc = LengthEncoder()
    assert enc.encode_requirements([]).shape == (0, 3)
    assert enc.batches == []
