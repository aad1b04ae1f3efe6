"""Searching a workspace: free text or a stored requirement → ranked, explained suppliers, and,
when hard filters left none, which filter did it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from matcher.retrieve import Filters
from matcher.schemas import Match


@dataclass
class SearchResult:
    """A search's matches and, when hard filters left none, which filter did it."""

    matches: list[Match]
    why_empty: str | None = None


class Searchable(Protocol):
    """What answers a search and says why one is empty: the Engine and the live index both do."""

    def search(self, text: str, top_k: int = 10, filters: Filters | None = None) -> list[Match]: ...

    def why_filtered_out(self, filters: Filters) -> str: ...


def search(
    index: Searchable, text: str, top_k: int = 10, filters: Filters | None = None
) -> SearchResult:
    """Ranked suppliers for free text in any language, hard filters applied."""
    matches = index.search(text, top_k, filters)
    if not matches and filters is not None and not filters.is_empty():
        return SearchResult(matches, index.why_filtered_out(filters))
    return SearchResult(matches)
