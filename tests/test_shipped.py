"""What the product needs at run time ships with it: the wheel holds the model artifacts, the
taxonomy and the sample, and the installed product, run from another directory, opens no file of
the checkout and nothing under ../shared (the public data is for evaluation only)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from matcher.config import DEFAULT_LEXICON, DEFAULT_TAXONOMY
from matcher.lexicon import read_lexicon_file, taxonomy_digest
from matcher.normalise import load_taxonomy
from matcher.resources import shipped

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

# Run inside the installed copy: every file Python opens is recorded by an audit hook (PEP 578),
# which sees open(), os.open() and sqlite3.connect() whichever library calls them.
_DRIVER = """
import json, os, sys
opened = []
def hook(event, args):
    if event in ("open", "sqlite3.connect") and args and isinstance(args[0], (str, bytes)):
        path = args[0].decode() if isinstance(args[0], bytes) else args[0]
        opened.append(os.path.abspath(path))
sys.addaudithook(hook)
import matcher
from matcher.cli import app
try:
    app(sys.argv[2:], standalone_mode=False)
finally:
    with open(sys.argv[1], "w") as handle:
        json.dump({"matcher": matcher.__file__, "opened": opened}, handle)
"""


def _build_wheel(out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("cnht_matcher-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed (without its dependencies, which this venv has) into a bare folder."""
    root = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(root / "dist")
    target = root / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), wheel],
        check=True,
        capture_output=True,
    )
    return target


def _outside(path: str, allowed: list[Path]) -> bool:
    """Whether an opened path lies outside what the installed product may read."""
    p = Path(path)
    if p.is_relative_to(SHARED):
        return True
    # The checkout is off limits, except the virtual environment, which may live inside it
    # (.venv/): that is where the dependencies are.
    venv = Path(sys.prefix)
    if p.is_relative_to(REPO) and not p.is_relative_to(venv):
        return True
    return not any(p.is_relative_to(root) for root in allowed)


@pytest.mark.slow
def test_wheel_ships_what_the_engine_reads(installed: Path) -> None:
    packaged = installed / "matcher" / "_shipped"
    for relative in (
        "models/ranker_weights.json",
        "models/lexicon.json",
        "data/taxonomy/taxonomy.csv",
        "data/taxonomy/inputs.csv",
        "data/sample/suppliers.csv",
        "data/sample/requirements.csv",
        "data/sample/labels.csv",
        "data/sample/event.yaml",
    ):
        assert (packaged / relative).is_file(), relative
        assert (packaged / relative).read_bytes() == (REPO / relative).read_bytes(), relative
    # The web app's templates, static files and text catalogues ship beside its code.
    web = [
        p.relative_to(REPO)
        for d in ("templates", "static", "pages/catalogues")
        for p in (REPO / "api" / d).rglob("*")
        if p.is_file()
    ]
    assert len(web) > 20
    for asset in web:
        assert (installed / asset).read_bytes() == (REPO / asset).read_bytes(), asset
    # The raw public data never ships, nor the sample's labelling notes.
    names = [n for d in installed.iterdir() if d.suffix == ".dist-info" for n in [d.name]]
    assert names
    wheel_files = [str(p.relative_to(installed)) for p in installed.rglob("*") if p.is_file()]
    assert not [f for f in wheel_files if "vn_hs_bilingual" in f or "labelling" in f]


@pytest.mark.model
@pytest.mark.slow
def test_installed_demo_runs_from_elsewhere_and_reads_nothing_outside(
    installed: Path, tmp_path: Path
) -> None:
    """`matcher demo` of the installed wheel, run from a bare folder: the product as a user has it.

    The demo end to end with the real default model: matches, their quality on the sample's
    labels, and the sample event planned into the output contract.
    """
    work = tmp_path / "elsewhere"
    work.mkdir()
    record = tmp_path / "opened.json"
    env = {
        **os.environ,
        "PYTHONPATH": str(installed),  # the installed copy wins over the venv's editable one
        "HF_HUB_OFFLINE": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(record), "demo", "--out", str(work / "out")],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    seen = json.loads(record.read_text())
    assert Path(seen["matcher"]).is_relative_to(installed)
    out = work / "out"
    for name in ("matches.csv", "matches.xlsx", "summary.json"):
        assert (out / name).stat().st_size > 0
    summary = json.loads((out / "summary.json").read_text())
    with open(out / "matches.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len({r["requirement_id"] for r in rows}) == summary["requirements"] == 81
    # A floor, not a target (measured figures: models/README.md): it catches a broken encoder,
    # index, lexicon or ranker (BM25 alone scores far lower on this sample).
    assert summary["quality"]["ndcg@10"] >= 0.75
    # The sample event is planned too, into the output contract.
    assert (out / "event" / "schedule.csv").exists() and (out / "event" / "kpis.json").exists()
    assert summary["event"]["meetings"] > 100
    assert len(list((out / "event" / "ics").glob("*.ics"))) > 100
    allowed = [
        installed,
        work,
        Path(os.environ["MATCHER_CACHE_DIR"]),
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path("/dev"),
        Path("/proc"),
        Path("/sys"),
        Path("/etc"),
        Path("/usr"),
        Path(os.environ.get("TMPDIR", "/tmp")),
        # Libraries' own caches in the user's home (matplotlib's font list).
        Path.home() / ".cache",
        Path(os.environ.get("MPLCONFIGDIR", Path.home() / ".config" / "matplotlib")),
    ]
    outside = sorted({p for p in seen["opened"] if _outside(p, allowed)})
    assert not outside, outside[:20]
    # It did read its shipped artifacts (the hook sees them), from the installed copy.
    assert any(p.endswith("_shipped/models/lexicon.json") for p in seen["opened"])


def test_the_shipped_lexicon_is_current() -> None:
    """models/lexicon.json is learnt from the current taxonomy (rebuild: data/build_lexicon.py)."""
    provenance = read_lexicon_file(DEFAULT_LEXICON)["provenance"]
    assert provenance["taxonomy_digest"] == taxonomy_digest(load_taxonomy(DEFAULT_TAXONOMY)), (
        "the taxonomy's labels changed: run .venv/bin/python data/build_lexicon.py"
    )
    assert provenance["excluded_chapters"] == []
    assert provenance["nomenclature_pairs"] > 10_000
    nomenclature = SHARED / "data/external/vn_hs_bilingual/vn_hs_bilingual.csv"
    if nomenclature.exists():  # CI has ../shared: the artifact must come from that file
        import hashlib

        assert (
            provenance["nomenclature_sha256"]
            == hashlib.sha256(nomenclature.read_bytes()).hexdigest()
        )


def test_shipped_paths_resolve_inside_the_package_or_checkout() -> None:
    for relative in ("models/ranker_weights.json", "data/taxonomy/taxonomy.csv"):
        path = shipped(relative)
        assert path.is_file()
        assert not path.is_relative_to(SHARED)
