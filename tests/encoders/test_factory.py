from __future__ import annotations

import pytest

from matcher.encoders.factory import get_encoder
from matcher.errors import EncoderError


def test_unknown_encoder_lists_choices() -> None:
    with pytest.raises(EncoderError, match="use one of e5, e5-onnx, e5-onnx-int8, minilm, tfidf"):
        get_encoder("bert-large")
