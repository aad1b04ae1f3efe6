"""The one place the services get their search index from: ``matcher.live.LiveIndex``, seen
through the interface the services need (``SearchIndex``), and the index's one writer
(``WriteGate``: a write waits a bounded time for the one before it, else ``Busy``)."""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from matcher.config import Settings
from matcher.errors import Busy
from matcher.live import EngineView, IndexHealth, LiveIndex
from matcher.retrieve import Filters
from matcher.schemas import Match, Requirement, Supplier

log = logging.getLogger(__name__)


class SearchIndex(Protocol):
    """What the routes need from an index (the interface of matcher.live.LiveIndex)."""

    def search(self, text: str, top_k: int = 10, filters: Filters | None = None) -> list[Match]: ...

    def match(self, requirement: Requirement, top_k: int = 10) -> list[Match]: ...

    def why_filtered_out(self, filters: Filters) -> str: ...

    def upsert(self, suppliers: Sequence[Supplier]) -> None: ...

    def delete(self, supplier_ids: Sequence[str]) -> None: ...

    def rebuild(self) -> None: ...

    def refresh(self) -> bool: ...

    def health(self) -> IndexHealth: ...

    def engine_view(self, hard_filters: Collection[str]) -> EngineView: ...


def open_index(workspace: Path, settings: Settings | None = None) -> SearchIndex:
    """The workspace's live index (matcher.live: incremental updates, atomic swaps)."""
    live: SearchIndex = LiveIndex.open(workspace, settings)
    return live


class WriteGate:
    """Writes to one index one at a time; a write that would wait longer than ``seconds`` for
    the one before it is refused (``Busy``: the API answers 503 Retry-After) rather than queued
    without end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @contextmanager
    def held(self, seconds: float) -> Iterator[None]:
        if not self._lock.acquire(timeout=seconds):
            raise Busy(f"another write has held the index for over {seconds:g} s; retry shortly")
        try:
            yield
        finally:
            self._lock.release()


_GATES: weakref.WeakKeyDictionary[object, WriteGate] = weakref.WeakKeyDictionary()
_GATES_LOCK = threading.Lock()


def write_gate(index: object) -> WriteGate:
    """The gate of this index object (one per index, made on first use)."""
    with _GATES_LOCK:
        gate = _GATES.get(index)
        if gate is None:
            gate = _GATES[index] = WriteGate()
        return gate
