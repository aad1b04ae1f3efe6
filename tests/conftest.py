from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from matcher.config import Settings

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never write to the user's ~/.cache from tests; share one cache per session."""
    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture
def hashing_settings() -> Settings:
    """Settings with the instant, deterministic hashing encoder (everything but model tests)."""
    settings = Settings()
    settings.embed.encoder = "hashing"
    return settings


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
