"""Whether a workspace's search index still holds its register: the suppliers the current index
version was built from (its ``suppliers.jsonl``) against the suppliers in the database. The CLI
says so before a search answers from an old index (`matcher index` refreshes it)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from matcher.artifacts import MANIFEST, current_version
from matcher.engine import SUPPLIERS_FILE
from matcher.store import Workspace


@dataclass(frozen=True)
class IndexFreshness:
    """How the index differs from the register (all zero: up to date)."""

    added: int  # in the register, not in the index
    changed: int  # in both, with another profile
    removed: int  # in the index, no longer in the register
    encoder: str  # what the index was built with, so a refresh builds it alike

    @property
    def stale(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def describe(self) -> str:
        parts = [
            f"{n} supplier{'s' if n != 1 else ''} {what}"
            for n, what in (
                (self.added, "added"),
                (self.changed, "changed"),
                (self.removed, "removed"),
            )
            if n
        ]
        return ", ".join(parts)


def index_freshness(workspace: Workspace | Path) -> IndexFreshness | None:
    """The index against the register; None when there is no index yet (a search then says to
    run `matcher index`). Profiles are compared as the JSON they are stored as, so re-ingesting
    an unchanged file changes nothing."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    folder = current_version(ws.index_dir)
    if (
        folder is None
        or not (folder / SUPPLIERS_FILE).is_file()
        or not (folder / MANIFEST).is_file()
    ):
        return None
    indexed: dict[str, object] = {}
    try:
        with open(folder / SUPPLIERS_FILE, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    indexed[str(record.get("supplier_id"))] = record
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        # A damaged index version: say nothing here; loading it refuses with the file and the fix
        # (matcher.artifacts verifies it), which is the one line the user should see.
        return None
    registered = {s.supplier_id: s.model_dump(mode="json") for s in ws.suppliers()}
    return IndexFreshness(
        added=len(registered.keys() - indexed.keys()),
        changed=sum(registered[k] != indexed[k] for k in registered.keys() & indexed.keys()),
        removed=len(indexed.keys() - registered.keys()),
        encoder=str(manifest.get("encoder", "")) if isinstance(manifest, dict) else "",
    )
