"""Which tests share a pytest-xdist worker (`make pytest` runs `-n 2 --dist loadgroup`).

A session-scoped fixture of this suite (the chromium, the local Ray, the tier network, the
e5 → ONNX conversion) is built once in every worker that uses it, and a module-scoped one once
in every worker that runs any test of its module. So every test of a module runs on one worker,
and modules that use the same session-scoped fixture of ours run on the same worker: each such
set of modules is one xdist group. The `model` tests share one more thing that no fixture names:
the real model, converted and its vectors cached once in the session's cache (MATCHER_CACHE_DIR,
tests/conftest.py, one per worker), so they are one group too.

The groups go to the workers costliest first (`--no-loadscope-reorder` keeps the order given
here), so that the two workers finish together rather than one running a long group alone at
the end. Serial runs (no `--dist loadgroup`) are left exactly as collected.
"""

from __future__ import annotations

import inspect
import sys
from collections import Counter
from pathlib import Path

import pytest

# Markers whose tests share a resource of the session that no fixture names.
SHARED_BY_MARKER = ("model",)
# Rough mean seconds of a `slow`/`model` test and of any other (CI's durations list): to order
# the groups, not a promise.
SLOW_TEST_S, FAST_TEST_S = 15.0, 0.25


def _ours(func: object, root: Path) -> bool:
    """Whether a fixture is defined in this suite (not in pytest or an installed plugin)."""
    try:
        path = Path(inspect.getfile(func))  # type: ignore[arg-type]
    except TypeError:
        return False
    return path.is_relative_to(root) and not path.is_relative_to(sys.prefix)


def session_resources(item: pytest.Item) -> set[str]:
    """The suite's own session- and package-scoped fixtures the test uses (each is built once per
    worker), and its resource-sharing marks."""
    infos = getattr(item, "_fixtureinfo", None)
    defs = infos.name2fixturedefs if infos is not None else {}
    root = item.config.rootpath
    used = {
        name
        for name, fixturedefs in defs.items()
        for d in fixturedefs
        if d.scope in ("session", "package") and _ours(d.func, root)
    }
    return used | {mark for mark in SHARED_BY_MARKER if item.get_closest_marker(mark)}


def groups(items: list[pytest.Item]) -> dict[str, list[pytest.Item]]:
    """The tests by group, in collection order within each: modules joined by what they share."""
    parent: dict[str, str] = {}  # union-find over module paths and "@resource" names

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for item in items:
        module = item.nodeid.split("::")[0]
        for resource in session_resources(item):
            parent[root("@" + resource)] = root(module)
    grouped: dict[str, list[pytest.Item]] = {}
    for item in items:
        grouped.setdefault(root(item.nodeid.split("::")[0]).lstrip("@"), []).append(item)
    return grouped


def cost(group: list[pytest.Item]) -> float:
    slow = sum(1 for i in group if i.get_closest_marker("slow") or i.get_closest_marker("model"))
    return slow * SLOW_TEST_S + (len(group) - slow) * FAST_TEST_S


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # In an xdist worker, `--dist loadgroup` reads as option.loadgroup (xdist/remote.py).
    if not getattr(config.option, "loadgroup", False):
        return
    ordered = sorted(groups(items).items(), key=lambda kv: -cost(kv[1]))
    items[:] = [item for _, group in ordered for item in group]
    shared = Counter(item.nodeid for item in items)
    for name, group in ordered:
        for item in group:
            item.add_marker(pytest.mark.xdist_group(name))
            _set_id(item, name, shared[item.nodeid] > 1)


def _set_id(item: pytest.Item, group: str, duplicate: bool) -> None:
    """What xdist 3.8's own hook does with the mark (its scheduler reads a test's group from
    ``nodeid + "@" + group``), redone for pytest ≥ 9: a node's id lives in ``_id`` there, so
    xdist's ``item._nodeid = ...`` changes nothing and every test would be its own group.

    The scheduler also keys tests by id, and under pytest 9 schemathesis gives every operation
    of ``test_api_conforms_to_its_schema`` the same id (its name, ``...[GET /healthz]``, is
    right): all but one would silently not run. Such a test gets its name back in its id."""
    if not hasattr(item, "_id"):
        return
    from _pytest.nodeid import NodeId

    nodeid = item.nodeid
    if duplicate and item.parent is not None:
        nodeid = f"{item.parent.nodeid}::{item.name}"
    if not nodeid.endswith("@" + group):
        item._id = NodeId.parse(f"{nodeid}@{group}")
