"""The service's concurrent query encodings on ONNX Runtime: W encodings at once, each on
``threads // W`` intra-op threads of its own session, with the same vectors as one at a time."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.encoders import HashingEncoder, QueryEncoder
from matcher.encoders.onnx import FastE5Encoder
from tests.conftest import at_once

TEXTS = [
    "Cung cấp ống thép không gỉ cho nhà máy chế biến thực phẩm tại Bình Dương",
    "Supply of 500 office chairs with lumbar support, delivery to Hanoi within 30 days",
    "Bảo trì hệ thống điều hòa không khí trung tâm cho tòa nhà văn phòng 20 tầng",
    "CCTV cameras and installation",
]


@pytest.fixture(scope="module")
def fast_e5() -> FastE5Encoder:
    return FastE5Encoder(precision="fp32", threads=2)


@pytest.mark.model
def test_workers_split_the_onnx_threads_and_keep_the_vectors(fast_e5: FastE5Encoder) -> None:
    assert fast_e5.concurrent(1) is fast_e5  # one at a time: the session as it is
    queries = QueryEncoder(fast_e5, size=0, workers=2)
    split = queries.encoder
    assert isinstance(split, FastE5Encoder) and split is not fast_e5
    assert (split.threads, fast_e5.threads) == (1, 2)  # the batch path keeps every core
    assert fast_e5.concurrent(4).threads == 1  # never below one thread

    alone = fast_e5.encode_requirements(TEXTS)
    got: dict[int, np.ndarray] = {}
    # All at once: one on the whole session, one beside it on the 1-thread session.
    at_once(lambda i: got.__setitem__(i, queries.vector(TEXTS[i])), len(TEXTS))
    together = np.stack([got[i] for i in range(len(TEXTS))])
    assert float((together * alone).sum(axis=1).min()) >= 0.99999


def test_other_encoders_are_used_as_they_are() -> None:
    encoder = HashingEncoder()
    assert QueryEncoder(encoder, workers=2).encoder is encoder


def test_a_lone_encoding_keeps_the_whole_encoder_and_a_second_at_once_takes_the_split() -> None:
    import time

    class Slow(HashingEncoder):
        def __init__(self) -> None:
            super().__init__()
            self.calls = 0

        def _encode(self, texts, side):  # type: ignore[no-untyped-def]
            self.calls += 1
            time.sleep(0.2)  # long enough for the second caller to arrive meanwhile
            return super()._encode(texts, side)

    whole, split = Slow(), Slow()
    queries = QueryEncoder(split, size=0, workers=2, alone=whole)
    queries.vector("alone")
    assert (whole.calls, split.calls) == (1, 0)
    at_once(lambda i: queries.vector(f"together {i}"), 2)
    assert (whole.calls, split.calls) == (2, 1)  # the first alone, the second beside it
    queries.vector("alone again")
    assert (whole.calls, split.calls) == (3, 1)


@pytest.mark.model
def test_the_default_is_two_for_onnx_and_one_for_the_others(fast_e5: FastE5Encoder) -> None:
    assert QueryEncoder(HashingEncoder(), workers=None).workers == 1
    queries = QueryEncoder(fast_e5, workers=None)
    assert queries.workers == 2 and queries.alone is fast_e5
    assert isinstance(queries.encoder, FastE5Encoder) and queries.encoder.threads == 1
    assert QueryEncoder(FastE5Encoder(precision="fp32", threads=1), workers=None).workers == 1
