"""The build-time converter: Q4_0 dequantisation by hand, and the cached, keyed build."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from matcher.encoders.convert import build_onnx_model, dequantise_q4_0
from matcher.errors import EncoderError


def test_q4_0_block_dequantised_by_hand() -> None:
    # One block after two bytes of padding: scale 0.5 (fp16), then byte i holds value i in its
    # low nibble and value 16 + i in its high one; each value is (q - 8) * scale.
    data = b"\xff\xff" + struct.pack("<e", 0.5) + bytes(i | (15 - i) << 4 for i in range(16))
    values = dequantise_q4_0(data, 2, 32)
    expected = [(i - 8) * 0.5 for i in range(16)] + [(15 - i - 8) * 0.5 for i in range(16)]
    np.testing.assert_array_equal(values, np.array(expected, dtype=np.float32))
    with pytest.raises(EncoderError, match="multiple of 32"):
        dequantise_q4_0(data, 2, 31)


@pytest.mark.model
def test_build_is_cached_and_keyed_by_source(e5_onnx_dir: Path) -> None:
    assert build_onnx_model(e5_onnx_dir.parent) == e5_onnx_dir  # second call: no rebuild
    assert (e5_onnx_dir / "model.onnx").exists()
    assert not any(p.name.startswith(".build-") for p in e5_onnx_dir.parent.iterdir())
