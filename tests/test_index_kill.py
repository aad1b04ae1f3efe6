"""`matcher index` killed with SIGKILL at random moments leaves the old or the new index, never a
broken one, and the databases intact (issue #17: keep the kill -9 test, randomised moments, at
least 50 rounds, in the slow suite).

The killed runs are forked from one process that has already imported the command (``_FORKER``):
a kill then always falls in the command's own work (reading the register, encoding, writing and
switching the index) rather than, as in a fresh ``python -m matcher index``, mostly in the
interpreter's imports, which write nothing. The first, whole run is the real entry point."""

from __future__ import annotations

import hashlib
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from matcher.artifacts import current_version
from matcher.config import Settings
from matcher.engine import Engine
from matcher.jobs import ingest_file
from tests.conftest import SAMPLE

ROUNDS = 50
WAIT_S = 300  # a guard against a hang, not a speed test

# One line in: fork a child that runs `matcher index --workspace ARGV[1]`, answer its pid. The
# next line in: reap it, answer its wait status. Imported once here, as `python -m matcher`
# imports them: the CLI, and the hashing encoder's scikit-learn (which the command imports lazily).
_FORKER = """
import os, sys
import sklearn.feature_extraction.text
from matcher.cli import app
while sys.stdin.readline():
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        try:
            app(["index", "--workspace", sys.argv[1]], standalone_mode=False)
        except BaseException:
            os._exit(1)
        os._exit(0)
    print(pid, flush=True)
    sys.stdin.readline()
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""


class Forker:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def _ask(self) -> int:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], WAIT_S)
        assert ready, f"the forking process did not answer within {WAIT_S} s"
        line = self.process.stdout.readline()
        assert line, f"the forking process exited with {self.process.wait()}"
        return int(line)

    def run(self, kill_after: float | None = None) -> int:
        """One `matcher index`, SIGKILLed ``kill_after`` seconds after it started (None: let it
        finish); its exit code (-9 when the kill came first)."""
        pid = self._ask()
        if kill_after is not None:
            time.sleep(kill_after)
            os.kill(pid, signal.SIGKILL)  # a finished child is a zombie until reaped: same pid
        return self._ask()


@contextmanager
def forker(workspace: Path, env: dict[str, str]) -> Iterator[Forker]:
    process = subprocess.Popen(
        [sys.executable, "-c", _FORKER, str(workspace)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield Forker(process)
    finally:
        assert process.stdin
        process.stdin.close()
        process.wait(timeout=60)


def digest(folder: Path) -> str:
    """The names and bytes of every file of an index version."""
    sha = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        sha.update(path.name.encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


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
    # One whole run of the entry point first: the old version every killed run must fall back to.
    command = [sys.executable, "-m", "matcher", "index", "--workspace", str(workspace)]
    assert subprocess.run(command, env=env, capture_output=True, timeout=WAIT_S).returncode == 0
    settings = Settings()
    settings.embed.encoder = "hashing"
    survived = switched = 0  # rounds that left the old version / the new one
    # Versions that loaded whole, by the digest of their bytes: loading the same bytes again
    # proves nothing more (the rounds that leave the old version only check it is unchanged).
    loaded: dict[Path, str] = {}
    rng = random.Random(17)
    with forker(workspace, env) as fork:
        # Two whole forked runs: the first warms the machine's caches (it is slower), the second
        # gives the length of the window the kills are drawn from.
        assert fork.run() == 0
        start = time.monotonic()
        assert fork.run() == 0
        duration = time.monotonic() - start
        # Random moments spread over the whole window and past its end (stratified: one in each
        # of ROUNDS equal parts, in random order), so kills land before and after the switch.
        moments = [(i + rng.random()) * 1.2 * duration / ROUNDS for i in range(ROUNDS)]
        rng.shuffle(moments)
        for round_no, moment in enumerate(moments):
            before = current_version(workspace / "index")
            code = fork.run(kill_after=moment)
            assert code in (0, -signal.SIGKILL), f"round {round_no}: exit code {code}"
            folder = current_version(workspace / "index")
            assert folder is not None, f"round {round_no}: no current index"
            survived += folder == before
            switched += folder != before
            if loaded.get(folder) != (bytes_now := digest(folder)):
                engine = Engine.load(workspace / "index", settings)  # checksums, counts, shapes
                assert len(engine.suppliers_) == 398, f"round {round_no}"
                loaded[folder] = bytes_now
            # The workspace database, and the user's embedding cache the workspace writes to.
            for db in (workspace / "matcher.sqlite", tmp_path / "cache" / "embeddings.sqlite"):
                if db.exists():
                    with sqlite3.connect(db) as conn:
                        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",), db
    # The kills fell both before and after the pointer switch: old and new versions were seen.
    assert survived and switched, (survived, switched)
