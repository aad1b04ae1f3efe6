from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from matcher.config import Settings
from tests.xdist_groups import pytest_collection_modifyitems  # noqa: F401  (xdist groups)

if TYPE_CHECKING:
    from tests.support import Service

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never write to the user's ~/.cache from tests; share one cache per session."""
    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


def at_once(call: Callable[[int], object], n: int) -> set[int | None]:
    """``call(0)`` … ``call(n - 1)``, each on a thread of its own, released together by a
    barrier; returns when all are done, with the threads' idents."""
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        barrier.wait()
        call(i)

    callers = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    return {caller.ident for caller in callers}


def hashing() -> Settings:
    """Settings with the instant, deterministic hashing encoder (everything but model tests)."""
    settings = Settings()
    settings.embed.encoder = "hashing"
    return settings


@pytest.fixture
def hashing_settings() -> Settings:
    return hashing()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The API over the 3-supplier, 3-requirement register, a key for every role; one per module."""
    from tests.support import served  # the API's imports only for the modules that use it

    with served(tmp_path_factory, "service") as svc:
        yield svc


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
