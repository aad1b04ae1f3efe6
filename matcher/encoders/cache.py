"""The embedding cache: vectors keyed by (model id, side, text hash); re-runs embed only changes."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matcher.encoders.base import Encoder, Progress, Side, Vectors


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_root() -> Path:
    """$MATCHER_CACHE_DIR, else ~/.cache/cnht-matcher: what the encoders build and cache (never
    the repository)."""
    return Path(os.environ.get("MATCHER_CACHE_DIR") or Path.home() / ".cache" / "cnht-matcher")


def default_cache_path() -> Path:
    """$MATCHER_CACHE_DIR/embeddings.sqlite, else ~/.cache/cnht-matcher/embeddings.sqlite."""
    return cache_root() / "embeddings.sqlite"


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

    def _encode_many(
        self, texts: Sequence[str], side: Side, batch_size: int, progress: Progress | None
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
        return np.ascontiguousarray(np.vstack([cached[h] for h in hashes]), dtype=np.float32)
