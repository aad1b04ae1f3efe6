"""`--engine ray` without --verbose prints none of Ray Data's INFO lines (its plans, its log
paths): importing ray.data configures its logger, so `connect` must set the level after that."""

from __future__ import annotations

import subprocess
import sys

import pytest

# A fresh interpreter, Ray not started: ray.init is replaced, the logger is what is under test.
SCRIPT = """
import logging, sys
import ray
ray.init = lambda **kwargs: None
logging.basicConfig(level=logging.INFO if sys.argv[1] == "verbose" else logging.WARNING)
from matcher.distributed import connect
connect()
import ray.data  # what cluster.build does next
print(logging.getLevelName(logging.getLogger("ray.data").getEffectiveLevel()))
"""


@pytest.mark.parametrize(("mode", "level"), [("quiet", "WARNING"), ("verbose", "INFO")])
def test_ray_data_speaks_only_when_asked(mode: str, level: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == level
