"""Ray is an optional extra: without it, `--engine ray` stops with a line naming the extra."""

from __future__ import annotations

import sys

import pytest

from matcher.distributed.cluster import connect
from matcher.errors import ConfigError


def test_without_ray_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets when it is absent
    with pytest.raises(ConfigError, match=r"cnht-matcher\[ray\]"):
        connect()
