from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from matcher.store import Workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh SQLite workspace in a temporary folder."""
    ws = Workspace(tmp_path / "ws")
    yield ws
    ws.close()


@pytest.fixture
def engine(workspace: Workspace) -> Engine:
    """The engine of a fresh, migrated workspace database (for one aggregate's store alone)."""
    return workspace.engine
