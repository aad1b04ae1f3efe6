"""`matcher learn` without a model: help with examples, status says transparent, rollback and
training refuse with a message instead of a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from matcher.cli import app
from matcher.store import Workspace
from tests.conftest import DATA

runner = CliRunner()


def test_every_learn_command_has_help_with_an_example() -> None:
    for command in ("train", "status", "rollback"):
        result = runner.invoke(app, ["learn", command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output, command


def test_a_fresh_workspace_serves_the_transparent_scorer(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    Workspace(ws)
    status = runner.invoke(app, ["learn", "status", "-w", str(ws)])
    assert status.exit_code == 0, status.output
    assert json.loads(status.output)["active"] == {"version": None, "kind": "transparent"}
    rolled = runner.invoke(app, ["learn", "rollback", "-w", str(ws)])
    assert rolled.exit_code == 1
    assert "nothing to roll back" in rolled.output


def test_training_without_outcomes_says_too_little_data(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    for kind, name in (("suppliers", "suppliers_3.csv"), ("requirements", "requirements_3.csv")):
        assert runner.invoke(app, ["ingest", kind, str(DATA / name), "-w", str(ws)]).exit_code == 0
    result = runner.invoke(app, ["learn", "train", "-w", str(ws), "-e", "hashing"])
    assert result.exit_code == 0, result.output
    assert "too little data: 0 outcomes" in result.output
    assert "keeping the transparent scorer" in result.output
    attempt = Workspace(ws).ranker_status()["last_attempt"]
    assert attempt is not None and attempt["promoted"] is False
