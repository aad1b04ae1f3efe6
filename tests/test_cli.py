from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from matcher.cli import app
from matcher.events import SCHEDULE_COLUMNS
from matcher.export import MATCH_COLUMNS, safe_cell
from tests.conftest import DATA, write
from tests.workbooks import check_workbook

runner = CliRunner()
CONTRACT = ["requirement_id", "supplier_id", "rank", "score"]


def _match(
    tmp_path: Path,
    out: str,
    *extra: str,
    suppliers: Path | None = None,
    requirements: Path | None = None,
) -> Result:
    return runner.invoke(
        app,
        [
            "match",
            "--suppliers",
            str(suppliers or DATA / "suppliers_3.csv"),
            "--requirements",
            str(requirements or DATA / "requirements_3.csv"),
            "--top",
            "2",
            "--out",
            str(tmp_path / out),
            "--encoder",
            "hashing",
            "--quiet",
            *extra,
        ],
    )


@pytest.mark.parametrize("name", ["m.csv", "m.xlsx", "m.jsonl"])
def test_match_writes_the_contract_in_every_format(tmp_path: Path, name: str) -> None:
    result = _match(tmp_path, name)
    assert result.exit_code == 0, result.output
    path = tmp_path / name
    if name.endswith(".csv"):
        with open(path, encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        header = list(rows[0])
    elif name.endswith(".xlsx"):
        sheet = check_workbook(path)["matches"]  # after the cover and the two reading lists
        values = list(sheet.iter_rows(values_only=True))
        header = list(values[0])
        rows = [dict(zip(header, v, strict=True)) for v in values[1:]]
    else:
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        header = list(rows[0])
    assert header[:4] == CONTRACT and header == list(MATCH_COLUMNS)
    assert len(rows) == 6
    for req in ("R1", "R2", "R3"):
        ranks = [int(r["rank"]) for r in rows if r["requirement_id"] == req]
        assert ranks == [1, 2]
    assert all(r["explanation"] for r in rows)
    assert [float(r["score"]) for r in rows[:2]] == sorted(
        (float(r["score"]) for r in rows[:2]), reverse=True
    )


def test_malformed_file_exits_nonzero_names_everything_writes_nothing(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "bad.csv",
        "supplier_id,name,description\nS1,A,dập\nS2,B,\nS1,C,ép\n",
    )
    result = _match(tmp_path, "m.csv", suppliers=bad)
    assert result.exit_code == 1
    assert "bad.csv, row 3, column 'description': must not be empty" in result.output
    assert "bad.csv, row 4, column 'supplier_id': duplicate id 'S1'" in result.output
    assert not (tmp_path / "m.csv").exists()


def test_missing_column_and_wrong_encoding_write_nothing(tmp_path: Path) -> None:
    no_buyer = write(tmp_path / "r.csv", "requirement_id,description\nR1,x\n")
    result = _match(tmp_path, "m.csv", requirements=no_buyer)
    assert result.exit_code == 1 and "column 'buyer': required column missing" in result.output
    latin = write(
        tmp_path / "s.csv", "supplier_id,name,description\nS1,Công ty,Đúc\n", encoding="cp1258"
    )
    result = _match(tmp_path, "m.csv", suppliers=latin)
    assert result.exit_code == 1 and "s.csv, row 2: not valid UTF-8" in result.output
    assert not (tmp_path / "m.csv").exists()


def test_unknown_output_type_fails_before_work(tmp_path: Path) -> None:
    result = _match(tmp_path, "m.parquet")
    assert (
        result.exit_code == 1 and "use a file ending in one of .csv, .xlsx, .jsonl" in result.output
    )


def test_formula_cells_are_escaped(tmp_path: Path) -> None:
    evil = write(
        tmp_path / "s.csv", 'supplier_id,name,description\nS1,"=HYPERLINK(""x"")",Dập kim loại\n'
    )
    result = _match(tmp_path, "m.csv", suppliers=evil)
    assert result.exit_code == 0, result.output
    assert "'=HYPERLINK" in (tmp_path / "m.csv").read_text()
    assert safe_cell("+1") == "'+1" and safe_cell(0.5) == 0.5


def test_workspace_ingest_index_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path / "cache"))  # counts from empty
    ws = str(tmp_path / "ws")
    result = runner.invoke(app, ["ingest", "suppliers", str(DATA / "suppliers_3.csv"), "-w", ws])
    assert result.exit_code == 0 and "3 added" in result.output
    result = runner.invoke(
        app, ["ingest", "requirements", str(DATA / "requirements_3.csv"), "-w", ws]
    )
    assert result.exit_code == 0 and "3 added" in result.output
    result = runner.invoke(app, ["search", "stamping", "-w", ws])
    assert result.exit_code == 1 and "run `matcher index` first" in result.output
    result = runner.invoke(app, ["index", "-w", ws, "--encoder", "hashing"])
    assert result.exit_code == 0, result.output
    assert "3 embedded, 0 reused" in result.output
    result = runner.invoke(app, ["search", "ép phun nhựa", "--top", "1", "--json", "-w", ws])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.splitlines()[-1])["supplier_id"] == "S2"
    # Re-ingesting the same file changes nothing; re-indexing re-uses every vector.
    result = runner.invoke(app, ["ingest", "suppliers", str(DATA / "suppliers_3.csv"), "-w", ws])
    assert "0 added, 0 updated" in result.output
    result = runner.invoke(app, ["index", "-w", ws, "--encoder", "hashing"])
    assert "0 embedded, 3 reused" in result.output


def test_ingest_rejects_bad_file_whole(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    bad = write(tmp_path / "s.csv", "supplier_id,name,description\nS1,A,ok\nS2,B,\n")
    result = runner.invoke(app, ["ingest", "suppliers", str(bad), "-w", str(ws)])
    assert result.exit_code == 1
    from matcher.store import Workspace

    assert Workspace(ws).suppliers() == []


def test_every_command_has_help_with_an_example() -> None:
    for command in (
        ["match"],
        ["demo"],
        ["ingest", "suppliers"],
        ["ingest", "requirements"],
        ["index"],
        ["search"],
        ["eval"],
        ["event", "plan"],
        ["event", "replan"],
        ["tiers", "propose"],
        ["keys", "create"],
        ["keys", "list"],
        ["keys", "revoke"],
        ["serve"],
    ):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output, command


def test_console_entry_point(tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "matcher",
            "match",
            "--suppliers",
            str(DATA / "suppliers_3.csv"),
            "--requirements",
            str(DATA / "requirements_3.csv"),
            "--out",
            str(out),
            "--encoder",
            "hashing",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Wrote 9 matches" in proc.stderr.replace("\n", " ")
    assert "DEBUG" not in proc.stderr


def test_requirement_nobody_qualifies_for_is_explained(tmp_path: Path) -> None:
    reqs = write(
        tmp_path / "r.csv",
        "requirement_id,buyer,description,required_certifications,sector\n"
        "R1,B. Braun,Clean-room moulding of medical parts,ISO 13485,VI\n"
        "R2,Honda,Stamping of steel brackets,,IV\n",
    )
    result = _match(tmp_path, "m.csv", requirements=reqs)
    assert result.exit_code == 0, result.output
    assert (
        "R1: no supplier passes all hard filters: certification ISO 13485 (held by 0 of 3)"
        in result.output
    )
    with open(tmp_path / "m.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # The requirement's sector is a ranking feature, not a filter: R2 still gets 2 proposals.
    assert [r["requirement_id"] for r in rows] == ["R2", "R2"]


EVENTS = DATA / "events"


def plan_event(event_file: str, out: Path, *options: str) -> Result:
    """`matcher event plan` of a file in tests/data/events/ over the register beside it."""
    args = ["event", "plan", str(EVENTS / event_file), "--out", str(out), "--encoder", "hashing"]
    register = ["--suppliers", str(EVENTS / "suppliers.csv")]
    register += ["--requirements", str(EVENTS / "requirements.csv")]
    return runner.invoke(app, [*args, *register, *options])


def test_event_plan_writes_the_output_contract(tmp_path: Path) -> None:
    out = tmp_path / "event"
    result = plan_event("event.yaml", out, "--what-if", "tables+1")
    assert result.exit_code == 0, result.output
    with open(out / "schedule.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == SCHEDULE_COLUMNS
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["meetings"] == len(rows)
    participants = {r["buyer_id"] for r in rows} | {r["supplier_id"] for r in rows}
    assert {p.stem for p in (out / "ics").glob("*.ics")} >= participants
    assert "What if" in result.output


def test_bad_event_file_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "event"
    result = plan_event("bad_event.yaml", out)
    assert result.exit_code == 1
    assert "bad_event.yaml" in result.output
    assert not out.exists()


def test_outputs_get_ordinary_file_permissions(tmp_path: Path) -> None:
    # Atomic writes go through mkstemp (mode 0600); the finished file must be readable by the
    # group/others like any file the user writes, or shared report folders break.
    from matcher.export import write_table

    out = tmp_path / "table.csv"
    write_table([{"a": 1}], ["a"], out)
    assert out.stat().st_mode & 0o777 == 0o666 & ~_current_umask()


def _current_umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_match_no_contacts_writes_a_copy_to_hand_to_buyers(tmp_path: Path) -> None:
    with_contacts = _match(tmp_path, "full.xlsx")
    without = _match(tmp_path, "buyers.xlsx", "--no-contacts")
    assert with_contacts.exit_code == 0 and without.exit_code == 0, without.output
    contact_columns = {"contact_name", "contact_email", "contact_phone"}

    def headers(name: str) -> set[str]:
        book = check_workbook(tmp_path / name)
        return {
            str(cell)
            for sheet in ("buyers", "suppliers", "matches")
            for cell in next(book[sheet].iter_rows(values_only=True))
        }

    assert contact_columns <= headers("full.xlsx")
    assert not contact_columns & headers("buyers.xlsx")
