"""The workspace: a folder with its database (the register, keys, feedback and events) and the
index artifacts beside it (see matcher.artifacts)."""

from __future__ import annotations

from pathlib import Path

from matcher.store.db import migrate, open_engine
from matcher.store.events import EventStore
from matcher.store.feedback import FeedbackStore
from matcher.store.keys import KeyStore
from matcher.store.rankers import RankerStore
from matcher.store.register import RegisterStore
from matcher.store.shortlists import ShortlistStore


class Workspace(RegisterStore, KeyStore, FeedbackStore, EventStore, RankerStore, ShortlistStore):
    """A folder with ``matcher.sqlite``, ``embeddings.sqlite`` and ``index/``.

    One SQL database (SQLite by default, any SQLAlchemy URL works), migrated to the head revision
    on open. The workspace is its aggregates' stores on that one engine, so each of their methods
    is a method of the workspace (``workspace.upsert_suppliers``, ``workspace.authenticate``).
    """

    def __init__(self, root: Path | str, url: str | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.url = url or f"sqlite:///{self.root / 'matcher.sqlite'}"
        super().__init__(open_engine(self.url))
        with self.engine.begin() as connection:
            migrate(connection)

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def cache_path(self) -> Path:
        return self.root / "embeddings.sqlite"

    @property
    def events_dir(self) -> Path:
        return self.root / "events"

    def close(self) -> None:
        self.engine.dispose()
