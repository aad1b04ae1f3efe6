"""The workspace's learned rankers: versions under ``rankers/`` written atomically as the index is
(matcher/artifacts.py), the pointer naming the active one, rollback, and the last attempt.

``rankers/CURRENT`` names the active version folder, or ``transparent`` (no learned ranker);
each version's manifest records the one active before it, so rollback is one pointer swap and
restores that ranker exactly (the same stored files). No pointer means transparent.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from matcher.artifacts import POINTER, read_manifest, write_version
from matcher.errors import Conflict
from matcher.learn import LearnedRanker
from matcher.rank import TransparentRanker

TRANSPARENT = "transparent"
ATTEMPT = "last_attempt.json"
KEEP = 20  # versions kept on disk; older ones cannot be rolled back to


def _replace_text(path: Path, text: str) -> None:
    """Write a small file so that a reader sees the old text or the new, never a part."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class RankerStore:
    """Mixin of Workspace: needs ``root``."""

    root: Path
    _ranker_lock = threading.Lock()

    @property
    def rankers_dir(self) -> Path:
        return self.root / "rankers"

    def active_ranker_version(self) -> str | None:
        """The active learned version's folder name, None when the transparent scorer is."""
        pointer = self.rankers_dir / POINTER
        if not pointer.exists():
            return None
        name = pointer.read_text(encoding="utf-8").strip()
        return None if name in ("", TRANSPARENT) else name

    def learned_ranker(self, base: TransparentRanker) -> LearnedRanker | None:
        """The active learned ranker over ``base`` (loaded once per version and base), or None."""
        name = self.active_ranker_version()
        if name is None:
            return None
        cached: tuple[str, int, LearnedRanker] | None = getattr(self, "_ranker_cache", None)
        if cached is not None and cached[0] == name and cached[1] == id(base):
            return cached[2]
        ranker = LearnedRanker.read(self.rankers_dir / name, base)
        ranker.info = {**ranker.info, "version": name}
        self._ranker_cache = (name, id(base), ranker)
        return ranker

    def save_ranker(self, ranker: LearnedRanker) -> str:
        """Store a new version and make it active; returns its folder name."""
        with self._ranker_lock:
            previous = self.active_ranker_version()
            folder = write_version(
                self.rankers_dir,
                ranker.write,
                {"kind": "lightgbm-lambdamart-correction", "previous": previous},
                keep=KEEP,
            )
            return folder.name

    def rollback_ranker(self) -> str | None:
        """Make the previously active ranker active again; returns its version (None:
        transparent). Refused when the transparent scorer is already active."""
        with self._ranker_lock:
            name = self.active_ranker_version()
            if name is None:
                raise Conflict("the transparent scorer is active: there is nothing to roll back")
            previous = read_manifest(self.rankers_dir / name, verify=False).get("previous")
            if previous is not None and not (self.rankers_dir / previous).is_dir():
                raise Conflict(f"the version before {name} ({previous}) is no longer stored")
            _replace_text(self.rankers_dir / POINTER, previous or TRANSPARENT)
            return previous if isinstance(previous, str) else None

    def record_ranker_attempt(self, report: dict[str, Any]) -> None:
        self.rankers_dir.mkdir(parents=True, exist_ok=True)
        _replace_text(self.rankers_dir / ATTEMPT, json.dumps(report, ensure_ascii=False, indent=2))

    def ranker_status(self) -> dict[str, Any]:
        """The active ranker (version, training window, held-out figures) and the last attempt."""
        name = self.active_ranker_version()
        active: dict[str, Any] = {"version": None, "kind": TRANSPARENT}
        if name is not None:
            manifest = read_manifest(self.rankers_dir / name, verify=False)
            payload = json.loads((self.rankers_dir / name / "ranker.json").read_text("utf-8"))
            active = {
                "version": name,
                "kind": manifest.get("kind"),
                "previous": manifest.get("previous"),
                "report": payload.get("info", {}),
            }
        attempt_file = self.rankers_dir / ATTEMPT
        attempt = json.loads(attempt_file.read_text("utf-8")) if attempt_file.exists() else None
        return {"active": active, "last_attempt": attempt}
