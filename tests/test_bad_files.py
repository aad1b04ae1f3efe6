"""Every bad file gets a clear error and nothing else (issue #17): the corpus that
tests/data/make_bad_files.py writes, read in-process, a sample through the real CLI and the API,
the zip bomb's memory, and fuzzed CSV / JSON."""

from __future__ import annotations

import contextlib
import csv
import os
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.config import InputSettings
from matcher.errors import InputDataError
from matcher.ingest import Kind, load_records
from tests.conftest import DATA, REPO

BAD = DATA / "bad"
GOOD = BAD / "good"


def _manifest(folder: Path) -> list[dict[str, str]]:
    with open(folder / "manifest.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


BAD_CASES = _manifest(BAD)
GOOD_CASES = _manifest(GOOD)


def _limits(spec: str) -> InputSettings:
    pairs = (item.split("=") for item in spec.split(";") if item)
    return InputSettings(**{k: int(v) for k, v in pairs})


def _env(spec: str) -> dict[str, str]:
    pairs = (item.split("=") for item in spec.split(";") if item)
    return {f"MATCHER_INPUT__{k.upper()}": v for k, v in pairs}


def _kind(case: dict[str, str]) -> Kind:
    return "requirements" if case["kind"] == "requirements" else "suppliers"


def _row(case: dict[str, str]) -> int | None:
    return int(case["row"]) if case["row"] else None


def test_the_corpus_is_large_and_current() -> None:
    assert len(BAD_CASES) >= 200 and len(GOOD_CASES) >= 30
    on_disk = {p.name for p in BAD.iterdir() if p.is_file()} - {"manifest.csv"}
    assert on_disk == {c["name"] for c in BAD_CASES}  # run tests/data/make_bad_files.py


@pytest.mark.parametrize("case", BAD_CASES, ids=[c["name"] for c in BAD_CASES])
def test_bad_file_is_refused_naming_row_and_column(case: dict[str, str]) -> None:
    path = BAD / case["name"]
    with pytest.raises(InputDataError) as err:
        load_records(path, _kind(case), limits=_limits(case["settings"]))
    problems = err.value.problems
    wanted = (case["expect"], _row(case), case["column"] or None)
    assert any(case["expect"] in p.message and (p.row, p.column) == wanted[1:] for p in problems), (
        f"wanted {wanted}, got:\n{err.value.render()}"
    )
    assert all(p.file == str(path) for p in problems)


@pytest.mark.parametrize("case", GOOD_CASES, ids=[c["name"] for c in GOOD_CASES])
def test_unusual_good_file_is_read_whole(case: dict[str, str]) -> None:
    result = load_records(GOOD / case["name"], _kind(case), limits=_limits(case["settings"]))
    assert len(result.records) == int(case["records"])


def test_good_variants_keep_what_was_written() -> None:
    ids = [s.supplier_id for s in load_records(GOOD / "numbers_as_ids.json", "suppliers").records]
    assert ids == ["1e400", "0.10", "7.5e1"]  # the text written, never inf or 0.1
    cleaned = load_records(GOOD / "control_chars_removed.csv", "suppliers")
    assert (cleaned.records[0].name, cleaned.records[0].description) == ("A", "dậphàn")
    (warning,) = [w for w in cleaned.warnings if "control characters" in w]
    assert warning == "control characters removed from row 2, column 'name' and 1 more cell(s)"
    jsonl = load_records(GOOD / "u2028_in_string.jsonl", "suppliers")
    assert jsonl.rows == [1, 2, 3, 4]  # U+2028 / U+0085 inside a string end no record
    lines = load_records(GOOD / "multiline_cells.csv", "suppliers")
    assert lines.rows == [2, 3, 4, 5]  # spreadsheet rows, not the file's lines
    listed = load_records(GOOD / "multiline_lists_with_commas.csv", "suppliers").records[0]
    assert listed.description == "Sản phẩm: - thép, nhôm, đồng - nhựa, cao su, da"  # one cell
    assert len(load_records(GOOD / "dimension_understated.xlsx", "suppliers").records) == 6


def test_zip_bomb_is_refused_from_the_directory_with_little_memory() -> None:
    path = BAD / "xlsx_zip_bomb.xlsx"
    tracemalloc.start()
    try:
        with pytest.raises(InputDataError, match="unpacks to 106,001,496 bytes"):
            load_records(path, "suppliers")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20  # the bomb holds 100 MiB of rows; nothing of it is unpacked


# -- the real CLI, in a subprocess, for a sample -------------------------------------------------
CLI_SAMPLE = [
    "quote_never_closed_row4.csv",
    "multiline_then_error_2.csv",
    "xlsx_extra_cell_row3.xlsx",
    "xlsx_zip_bomb.xlsx",
    "deep_20000.json",
    "rows_8_limit_5.csv",
]


def _cases(names: list[str]) -> list[dict[str, str]]:
    by_name = {c["name"]: c for c in BAD_CASES}
    return [by_name[n] for n in names]


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "matcher", *args],
        cwd=cwd,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow  # six CLI processes at once: over 30 s on a busy machine
def test_cli_refuses_bad_files_in_one_block_and_writes_nothing(tmp_path: Path) -> None:
    from matcher.jobs import ingest_file

    workspace = tmp_path / "ws"
    ingest_file(workspace, "suppliers", DATA / "suppliers_3.csv")
    before = _snapshot(tmp_path)
    runs: list[tuple[dict[str, str], str, subprocess.Popen[str]]] = []
    for i, case in enumerate(_cases(CLI_SAMPLE)):
        path, env = str(BAD / case["name"]), _env(case["settings"])
        # Both commands, alternating over the sample: each file once, each command half the time.
        if i % 2:
            args = ["ingest", "suppliers", path, "--workspace", str(workspace)]
        else:
            out = str(tmp_path / f"m{i}.csv")
            requirements = str(DATA / "requirements_3.csv")
            args = ["match", "--suppliers", path, "--requirements", requirements, "--out", out]
            args += ["--encoder", "hashing", "--quiet"]
        runs.append((case, path, _cli(args, env, tmp_path)))
    for case, path, proc in runs:
        # Six interpreters start at once: the bound only guards against a hang.
        stdout, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 1, (case["name"], stdout, stderr)
        assert "Traceback" not in stderr and stdout == ""
        assert stderr.count("error:") == 1 and stderr.startswith("error: ")
        where = f"{path}, row {case['row']}" if case["row"] else path
        if case["column"]:
            where += f", column '{case['column']}'"
        assert where in stderr and case["expect"] in stderr, stderr
    assert _snapshot(tmp_path) == before  # no output file, the workspace untouched


# -- the API import ----------------------------------------------------------------------------
API_SAMPLE = [
    "quote_closed_later_row3.csv",
    "quote_swallows_rows_name.csv",
    "xlsx_value_under_blank_header.xlsx",
    "xlsx_billion_laughs.xlsx",
    "duplicate_key.jsonl",
    "bom_inside_row2_name.csv",
    "field_tax_short_row2.xlsx",
    "cell_140k.csv",
]


@pytest.mark.parametrize("case", _cases(API_SAMPLE), ids=API_SAMPLE)
def test_api_import_answers_422_with_row_and_column(service: Any, case: dict[str, str]) -> None:
    client, org = service.client, service.as_("organiser")
    before = client.get("/v1/suppliers", headers=org).json()
    data = (BAD / case["name"]).read_bytes()
    r = client.post("/v1/suppliers/import", files={"file": (case["name"], data)}, headers=org)
    assert r.status_code == 422, r.text
    problems = r.json()["problems"]
    wanted = (case["name"], _row(case), case["column"] or None)
    assert any(
        (p["file"], p["row"], p["column"]) == wanted and case["expect"] in p["message"]
        for p in problems
    ), problems
    assert client.get("/v1/suppliers", headers=org).json() == before


# -- fuzzing: whatever the bytes, only InputDataError comes out ----------------------------------
_FUZZ_DIR = Path(tempfile.mkdtemp(prefix="matcher-fuzz-"))
_CSV_ALPHABET = st.sampled_from(
    [*'abS1,;\t|"\n\r \x00\x07\ufeff\u2028\u0085đ', "supplier_id", "name", "description"]
)
_FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def _read(name: str, data: bytes) -> None:
    path = _FUZZ_DIR / name
    path.write_bytes(data)
    with contextlib.suppress(InputDataError):
        load_records(path, "suppliers")


@_FUZZ
@given(st.lists(_CSV_ALPHABET, max_size=60).map("".join))
def test_fuzzed_csv_raises_only_input_errors(body: str) -> None:
    _read("f.csv", f"supplier_id,name,description\n{body}".encode())


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["S1", "", "\x00", "\ud800", "a/b"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["supplier_id", "name", "description", "x"]), inner)
    ),
    max_leaves=12,
)


@_FUZZ
@given(_JSON_VALUES, st.binary(max_size=6))
def test_fuzzed_json_raises_only_input_errors(value: Any, noise: bytes) -> None:
    import json

    text = json.dumps(value, ensure_ascii=True)
    _read("f.json", text.encode())
    _read("f.jsonl", text.encode() + b"\n" + noise)
