"""The job: ``run_tiers`` through its `matcher tiers propose` shell (every output, bad input by
file/row/column, help), and the options checked before any file is read or model loaded."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from matcher.cli.tiers import tiers_app
from matcher.errors import ConfigError
from matcher.tiers import TRACKS, propose_network, run_tiers
from tests.conftest import SAMPLE, write


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"top_k": 0}, "--top must be at least 1, got 0"),
        ({"lower_top_k": 0}, "--top-lower must be at least 1, got 0"),
        ({"depth": 0}, "--depth must be at least 1, got 0"),
        ({"certifications": "strict"}, "--certifications 'strict': use 'gap' or 'filter'"),
    ],
)
def test_bad_options_are_rejected_before_any_file_is_read(
    tmp_path: Path, options: dict[str, object], message: str
) -> None:
    missing = tmp_path / "missing.csv"
    with pytest.raises(ConfigError, match=re.escape(message)):
        run_tiers(missing, missing, tmp_path / "out", **options)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=re.escape(message)):
        propose_network([], [], **options)  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


def _slice(tmp_path: Path) -> tuple[Path, Path]:
    with open(SAMPLE / "suppliers.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    suppliers = tmp_path / "suppliers.csv"
    with open(suppliers, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows[:151])  # header + 150 firms
    return suppliers, SAMPLE / "requirements.csv"


def test_cli_propose_writes_every_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHER_EMBED__CACHE", "false")
    suppliers, requirements = _slice(tmp_path)
    out = tmp_path / "out"
    args = ["propose", "--suppliers", str(suppliers), "--requirements", str(requirements)]
    args += ["--out", str(out), "--encoder", "hashing", "--buyer", "Honda", "--buyer", "Canon"]
    args += ["--top", "3", "--top-lower", "2", "-q"]
    result = CliRunner().invoke(tiers_app, args)
    assert result.exit_code == 0, result.output
    for name in ("network.json", "network.graphml", "network.png", "network.svg", "chains.csv"):
        assert (out / name).stat().st_size > 0
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["assemblers"] == 2 and kpis["assemblers_with_chains_depth_2"] >= 1
    assert set(kpis["gaps"]["by_track"]) == set(TRACKS)
    book = load_workbook(out / "gaps.xlsx", read_only=True)
    assert book.sheetnames == ["cover", "by firm", *TRACKS]
    graph = nx.read_graphml(out / "network.graphml")
    data = json.loads((out / "network.json").read_text(encoding="utf-8"))
    assert graph.number_of_edges() == len(data["edges"])


def test_cli_reports_bad_input_with_file_row_column(tmp_path: Path) -> None:
    bad = write(tmp_path / "s.csv", "supplier_id,name,description,tier\nS1,A,stamping,7\n")
    args = ["propose", "--suppliers", str(bad), "--requirements", str(SAMPLE / "requirements.csv")]
    result = CliRunner().invoke(tiers_app, [*args, "--out", str(tmp_path / "o"), "-e", "hashing"])
    assert result.exit_code == 1
    assert "row 2" in result.output and "column 'tier'" in result.output
    assert not (tmp_path / "o").exists()


def test_cli_help_has_an_example() -> None:
    result = CliRunner().invoke(tiers_app, ["propose", "--help"])
    assert result.exit_code == 0 and "Example: matcher tiers propose" in result.output
