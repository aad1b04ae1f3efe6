"""The one place the service gets its search index from: ``matcher.live.LiveIndex``, seen
through the interface the routes need (``SearchIndex``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from matcher.config import Settings
from matcher.live import IndexHealth, LiveIndex
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


def open_index(workspace: Path, settings: Settings | None = None) -> SearchIndex:
    """The workspace's live index (matcher.live: incremental updates, atomic swaps)."""
    live: SearchIndex = LiveIndex.open(workspace, settings)
    return live
