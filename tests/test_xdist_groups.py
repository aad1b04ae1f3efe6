"""tests/xdist_groups.py on a small suite run the way `make pytest` runs this one: a session
fixture shared by two modules is built once, the `model` modules share a worker, no module is
split between workers, both workers get work, and the costliest group goes first."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

CONFTEST = """
import os
import pytest

def log(path, line):
    with open(path, "a") as handle:
        handle.write(line + "\\n")

@pytest.fixture(scope="session")
def shared():
    log("setups.txt", os.environ["PYTEST_XDIST_WORKER"])

@pytest.fixture(autouse=True)
def _record(request):
    log("ran.txt", f"{request.node.path.name} {os.environ['PYTEST_XDIST_WORKER']}")
"""
MODULES = {
    "test_a.py": "def test_{i}(shared): pass",
    "test_b.py": "def test_{i}(shared): pass",
    "test_m1.py": "import pytest\n@pytest.mark.model\ndef test_{i}(): pass",
    "test_m2.py": "import pytest\n@pytest.mark.model\ndef test_{i}(): pass",
    "test_s.py": "import pytest\n@pytest.mark.slow\ndef test_{i}(): pass",
    **{f"test_plain{n}.py": "def test_{i}(): pass" for n in range(4)},
}


@pytest.mark.slow
def test_groups_keep_what_tests_share_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n  model: m\n  slow: s\n")
    for name, template in MODULES.items():
        count = 8 if name == "test_s.py" else 3  # test_s: the costliest group (8 slow tests)
        body = "\n\n".join(template.format(i=i) for i in range(count))
        (tmp_path / name).write_text(textwrap.dedent(body) + "\n")
    # Only the plugins this needs: the installed ones (hypothesis, schemathesis ...) cost seconds.
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "xdist.plugin",
        "-p",
        "tests.xdist_groups",
    ]
    command += ["-n", "2"]
    command += ["--dist", "loadgroup", "--no-loadscope-reorder", "-p", "no:cacheprovider"]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert len((tmp_path / "setups.txt").read_text().split()) == 1  # test_a and test_b together
    ran = [line.split() for line in (tmp_path / "ran.txt").read_text().splitlines()]
    assert len(ran) == 8 + 3 * (len(MODULES) - 1)
    workers = {module: {w for m, w in ran if m == module} for module, _ in ran}
    assert all(len(w) == 1 for w in workers.values()), workers  # no module split
    assert workers["test_a.py"] == workers["test_b.py"]
    assert workers["test_m1.py"] == workers["test_m2.py"]
    assert {w for _, w in ran} == {"gw0", "gw1"}
    first = {w: m for m, w in reversed(ran)}  # each worker's first module
    assert "test_s.py" in first.values(), first
