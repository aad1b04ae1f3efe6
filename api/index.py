"""The one place the service gets its search index from.

``matcher.live.LiveIndex`` (incremental updates, atomic swaps) is used when it is installed;
until then ``EngineIndex`` gives the same interface over ``matcher.pipeline.Engine`` by
rebuilding the whole register on each change (embeddings come from the workspace cache, so a
rebuild re-embeds only what changed).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from matcher.config import Settings
from matcher.embed import EmbeddingCache
from matcher.pipeline import Engine
from matcher.retrieve import Filters
from matcher.schemas import Match, Requirement, Supplier
from matcher.store import Workspace

log = logging.getLogger(__name__)


class SearchIndex(Protocol):
    """What the routes need from an index (the interface of matcher.live.LiveIndex)."""

    def search(self, text: str, top_k: int = 10, filters: Filters | None = None) -> list[Match]: ...

    def match(self, requirement: Requirement, top_k: int = 10) -> list[Match]: ...

    def upsert(self, suppliers: Sequence[Supplier]) -> None: ...

    def delete(self, supplier_ids: Sequence[str]) -> None: ...

    def rebuild(self) -> None: ...


class EngineIndex:
    """A whole-register Engine, rebuilt on each change and swapped in under a lock."""

    def __init__(self, workspace: Path, settings: Settings | None = None) -> None:
        self.workspace = Workspace(workspace)
        self.settings = settings or Settings()
        self._lock = threading.Lock()  # one rebuild at a time
        self._engine: Engine | None = None

    @classmethod
    def open(cls, workspace: Path, settings: Settings | None = None) -> EngineIndex:
        index = cls(workspace, settings)
        index.rebuild()
        return index

    def rebuild(self) -> None:
        with self._lock:
            suppliers = self.workspace.suppliers()
            if not suppliers:
                self._engine = None
                return
            # The cache is a sqlite3 connection, usable only in the thread that opened it:
            # it serves the build, and searches use the bare encoder.
            cache = EmbeddingCache(self.workspace.cache_path)
            try:
                engine = Engine(self.settings, cache=cache).build(suppliers)
            finally:
                cache.close()
            engine.encoder = getattr(engine.encoder, "inner", engine.encoder)
            self._engine = engine  # readers hold the old engine until they finish
        log.info("index rebuilt over %d suppliers", len(suppliers))

    def upsert(self, suppliers: Sequence[Supplier]) -> None:
        self.rebuild()  # the database already holds them

    def delete(self, supplier_ids: Sequence[str]) -> None:
        self.rebuild()

    def search(self, text: str, top_k: int = 10, filters: Filters | None = None) -> list[Match]:
        engine = self._engine
        return [] if engine is None else engine.search(text, top_k, filters)

    def match(self, requirement: Requirement, top_k: int = 10) -> list[Match]:
        engine = self._engine
        return [] if engine is None else engine.match([requirement], top_k)


def open_index(workspace: Path, settings: Settings | None = None) -> SearchIndex:
    """The live index when matcher.live exists, else the rebuild-on-change fallback."""
    try:
        from matcher.live import LiveIndex  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        log.info("matcher.live not available: using the rebuild-on-change index")
        return EngineIndex.open(workspace, settings)
    live: SearchIndex = LiveIndex.open(workspace, settings)
    return live
