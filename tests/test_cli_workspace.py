"""The CLI telling the user what to do next (#18): a search over an index older than the register,
the compact and wide result tables, `keys list|revoke`, `eval --limit N` running N queries, and
dependency warnings kept out of the output."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.evaluation.runner import limited
from matcher.evaluation.suites import load_suite
from matcher.store import Workspace
from tests.conftest import DATA, write

runner = CliRunner()


@pytest.fixture
def indexed(tmp_path: Path) -> str:
    ws = str(tmp_path / "ws")
    assert runner.invoke(app, ["ingest", "suppliers", str(DATA / "suppliers_3.csv"), "-w", ws])
    result = runner.invoke(app, ["index", "-w", ws, "--encoder", "hashing"])
    assert result.exit_code == 0, result.output
    return ws


def test_search_says_when_the_index_is_older_than_the_register(
    indexed: str, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["search", "stamping", "-w", indexed])
    assert result.exit_code == 0 and "older than the register" not in result.output
    late = write(
        tmp_path / "late.csv",
        "supplier_id,name,description\n"
        "S4,Công ty Dập Kim loại Bắc Ninh,Dập kim loại tấm và dập liên hoàn giá đỡ thép\n"
        "S3,Hanoi Garment JSC,Cutting and sewing of workwear\n",
    )
    assert (
        "1 added, 1 updated"
        in runner.invoke(app, ["ingest", "suppliers", str(late), "-w", indexed]).output
    )
    result = runner.invoke(app, ["search", "dập liên hoàn", "--json", "-w", indexed])
    assert result.exit_code == 0, result.output
    assert "older than the register (1 supplier added, 1 supplier changed" in result.output
    assert f"matcher index --workspace {indexed}" in result.output and "--refresh" in result.output
    ids = [json.loads(line)["supplier_id"] for line in result.stdout.splitlines()]
    assert "S4" not in ids  # the old index does not know it
    result = runner.invoke(app, ["search", "dập liên hoàn", "--json", "--refresh", "-w", indexed])
    assert result.exit_code == 0, result.output
    assert "Refreshing the index" in result.output
    assert json.loads(result.stdout.splitlines()[0])["supplier_id"] == "S4"
    again = runner.invoke(app, ["search", "dập liên hoàn", "-w", indexed])
    assert "older than the register" not in again.output and "Refreshing" not in again.output
    # a firm removed from the register makes the index stale too
    assert Workspace(indexed).delete_suppliers(["S1"]) == 1
    removed = runner.invoke(app, ["search", "dập", "-w", indexed])
    assert "(1 supplier removed since it was built)" in removed.output


def test_search_rows_fit_80_columns_and_wide_shows_every_column(indexed: str) -> None:
    result = runner.invoke(app, ["search", "ép phun nhựa ABS", "--top", "3", "-w", indexed])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1 + 3  # the header, then one line per supplier
    assert all(len(line) <= 80 for line in lines), lines
    assert "Nhựa" in lines[1] and "S2" not in lines[1]
    wide = runner.invoke(app, ["search", "ép phun nhựa ABS", "--top", "3", "--wide", "-w", indexed])
    assert wide.exit_code == 0, wide.output
    rows = [line for line in wide.stdout.splitlines() if line.strip()]
    assert len(rows) == 1 + 3 and max(len(line) for line in rows) > 80
    for column in ("supplier_id", "capabilities", "certificates", "why"):
        assert column in rows[0]
    assert "S2" in wide.stdout


def test_keys_list_and_revoke_keep_the_last_admin(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    result = runner.invoke(app, ["keys", "list", "-w", ws])
    assert result.exit_code == 0 and "no API keys" in result.output
    created = [
        runner.invoke(app, ["keys", "create", "--role", role, *extra, "-w", ws, "--label", label])
        for role, extra, label in (
            ("admin", [], "ops"),
            ("buyer", ["--buyer-id", "honda-vietnam"], "Honda purchasing"),
        )
    ]
    admin_id, buyer_id = (r.output.split()[1].rstrip(":") for r in created)
    secrets = [r.output.splitlines()[-1] for r in created]
    listed = runner.invoke(app, ["keys", "list", "-w", ws])
    assert listed.exit_code == 0
    assert admin_id in listed.output and "honda-vietnam" in listed.output
    assert "Honda purchasing" in listed.output
    assert not any(secret in listed.output for secret in secrets)
    last = runner.invoke(app, ["keys", "revoke", admin_id, "-w", ws])
    assert last.exit_code == 1 and "last admin key" in last.output
    done = runner.invoke(app, ["keys", "revoke", buyer_id, "-w", ws])
    assert done.exit_code == 0 and f"key {buyer_id} revoked" in done.output
    assert Workspace(ws).authenticate(secrets[1]) is None
    assert buyer_id not in runner.invoke(app, ["keys", "list", "-w", ws]).output
    everything = runner.invoke(app, ["keys", "list", "--all", "-w", ws]).output
    assert buyer_id in everything and "revoked" in everything
    missing = runner.invoke(app, ["keys", "revoke", "nope", "-w", ws])
    assert missing.exit_code == 1 and "no key 'nope'" in missing.output


def test_eval_limit_takes_exactly_that_many_queries_of_the_part() -> None:
    suite = load_suite("sample")
    labelled = [q for q in suite.part("test") if suite.qrels.get(q.requirement_id)]
    assert len(labelled) > 3
    cut = limited(suite, "test", 3)
    assert len(cut.part("test")) == 3 and limited(suite, "test", 3).part("test") == cut.part("test")
    assert len(limited(suite, "all", 1000).requirements) == sum(
        bool(suite.qrels.get(q.requirement_id)) for q in suite.requirements
    )


@pytest.mark.slow  # ranx compiles its metrics with numba on first use (20–40 s alone)
def test_eval_limit_on_the_command_line(tmp_path: Path) -> None:
    """`eval --limit 20` ran 38 queries: the sample suite ignored the limit, the others sampled
    per part or across parts. Now the run scores exactly the limit."""
    result = runner.invoke(
        app,
        ["eval", "--suite", "sample", "--methods", "bm25", "--limit", "3", "--out", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads((tmp_path / "sample.json").read_text())
    assert {row["queries"] for row in rows if row["slice"] == "all"} == {3}


def test_dependency_warnings_stay_out_of_the_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """A warning a library raises about itself (ranx's NumbaTypeSafetyWarning in the demo) is
    not shown; one raised in matcher's own code still is."""
    import matcher.jobs
    from matcher.errors import WorkspaceError

    def noisy(*args: object, **kwargs: object) -> object:
        warnings.warn_explicit("unsafe cast from int64 to int32", UserWarning, "ranx.py", 1, "ranx")
        warnings.warn_explicit("ours", UserWarning, "matcher/jobs.py", 1, "matcher.jobs")
        raise WorkspaceError("stop here")

    monkeypatch.setattr(matcher.jobs, "search_workspace", noisy)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runner.invoke(app, ["search", "x", "-w", "/nonexistent/ws"])
    assert [str(w.message) for w in caught] == ["ours"]


def test_what_if_table_reads_in_80_columns(tmp_path: Path) -> None:
    events = DATA / "events"
    result = runner.invoke(
        app,
        [
            "event",
            "plan",
            str(events / "event.yaml"),
            "--suppliers",
            str(events / "suppliers.csv"),
            "--requirements",
            str(events / "requirements.csv"),
            "--out",
            str(tmp_path / "event"),
            "--encoder",
            "hashing",
            "--what-if",
            "tables+1",
            "--what-if",
            "min_score=0.5",
        ],
    )
    assert result.exit_code == 0, result.output
    table = result.stdout[result.stdout.index("What if") :].splitlines()
    assert all(len(line) <= 80 for line in table), table
    kpis = json.loads((tmp_path / "event" / "kpis.json").read_text())
    header = next(line for line in table if line.startswith("┃"))
    assert [c.strip() for c in header.split("┃")[2:-1]] == ["plan", "tables+1", "min_score=0.5"]
    meetings = next(line for line in table if line.startswith("│ meetings"))
    cells = [c.strip() for c in meetings.split("│")[2:-1]]
    plan = kpis["meetings"]
    assert cells[0] == str(plan)
    for cell in cells[1:]:  # each option's value and its change from the plan
        value, change = cell.split(" ")
        assert change == f"({int(value) - plan:+d})"
