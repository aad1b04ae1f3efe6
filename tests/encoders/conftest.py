"""The converted e5 model, built once per session for the ONNX tests (marked `model`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def e5_onnx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Converted (about a minute on 2 cores) into the session's temporary cache, or into
    $MATCHER_E5_ONNX_CACHE when that is set, so CI can keep a converted model between runs."""
    from matcher.encoders.convert import build_onnx_model

    shared = os.environ.get("MATCHER_E5_ONNX_CACHE")
    # The folder the default encoder (e5-onnx) converts into under the session's isolated cache
    # (tests/conftest.py): one conversion per session serves these tests and the default's.
    root = Path(shared) if shared else tmp_path_factory.getbasetemp() / "cache" / "e5-onnx"
    return build_onnx_model(root)
