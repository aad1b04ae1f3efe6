"""`matcher index` killed with SIGKILL at random moments leaves the old or the new index, never a
broken one, and the databases intact (issue #17: keep the kill -9 test in the slow suite)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from matcher.artifacts import current_version
from matcher.config import Settings
from matcher.engine import Engine
from matcher.jobs import ingest_file
from tests.conftest import SAMPLE

ROUNDS = 50


def _index(workspace: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "matcher", "index", "--workspace", str(workspace)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_index_killed_at_random_moments_leaves_a_whole_index(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    ingest_file(workspace, "suppliers", SAMPLE / "suppliers.csv")
    env = {
        **os.environ,
        "MATCHER_EMBED__ENCODER": "hashing",
        "MATCHER_CACHE_DIR": str(tmp_path / "cache"),
        "HF_HUB_OFFLINE": "1",
    }
    # One whole run first: the old version every killed run must fall back to, and its length
    # (the window the kills are drawn from).
    start = time.monotonic()
    assert _index(workspace, env).wait(timeout=300) == 0
    duration = time.monotonic() - start
    settings = Settings()
    settings.embed.encoder = "hashing"
    versions = {current_version(workspace / "index")}
    rng = random.Random(17)
    for round_no in range(ROUNDS):
        process = _index(workspace, env)
        time.sleep(rng.uniform(0.0, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        folder = current_version(workspace / "index")
        assert folder is not None, f"round {round_no}: no current index"
        versions.add(folder)
        engine = Engine.load(workspace / "index", settings)  # checksums, counts, shapes
        assert len(engine.suppliers_) == 398, f"round {round_no}"
        # The workspace database, and the user's embedding cache the workspace writes to.
        for db in (workspace / "matcher.sqlite", tmp_path / "cache" / "embeddings.sqlite"):
            if db.exists():
                with sqlite3.connect(db) as conn:
                    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",), db
    # The kills fell both before and after the pointer switch: old and new versions were seen.
    assert len(versions) > 1
