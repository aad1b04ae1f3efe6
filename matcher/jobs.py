"""The batch jobs: files in, files out, in the order of the stages.

ingest → normalise → embed → index → retrieve → rank → (allocate → schedule) → export. Each job
checks every input before any model is loaded or anything is written; the CLI and the service call
these, never the stages in their own order.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher import events
from matcher.config import SAMPLE_DIR, Settings
from matcher.distributed import RayOptions, index_on_ray, match_on_ray
from matcher.encoders import Encoder
from matcher.engine import Engine, cache_file, open_engine
from matcher.errors import ConfigError, WorkspaceError
from matcher.export import EXPORT_SUFFIXES, write_matches
from matcher.ingest import load_requirements, load_suppliers
from matcher.progress import Reporter, SilentReporter
from matcher.retrieve import Filters
from matcher.schemas import DuplicateFirm
from matcher.services.events import plan_meetings
from matcher.services.search import SearchResult, search
from matcher.store import Workspace


@dataclass
class MatchSummary:
    """What one batch run did, for the CLI's summary table and for benchmarks."""

    suppliers: int
    requirements: int
    matches: int
    encoder: str
    out: Path | None
    duplicates: list[DuplicateFirm] = field(default_factory=list)
    unmatched: dict[str, str] = field(default_factory=dict)  # requirement id → why no proposal
    cache_hits: int = 0
    cache_misses: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _check_out(out: Path) -> None:
    if out.suffix.lower() not in EXPORT_SUFFIXES:
        raise ConfigError(f"--out {out}: use a file ending in one of {', '.join(EXPORT_SUFFIXES)}")


def run_match(
    suppliers_path: Path,
    requirements_path: Path,
    out: Path,
    top_k: int = 10,
    settings: Settings | None = None,
    reporter: Reporter | None = None,
    cache_path: Path | None = None,
    encoder: Encoder | None = None,
    header_row: int | None = None,
    also: Sequence[Path] = (),
    contacts: bool = True,
    ray: RayOptions | None = None,
) -> MatchSummary:
    """Stateless batch ranking: two files in, one file of ranked, explained matches out.

    header_row: the header's row in both files (default: found among the top rows).
    also: more files to write the same matches to (another format).
    contacts: False leaves out the suppliers' contact persons and extra register columns (a copy
    to hand to buyers, who see contacts only after a confirmed meeting).
    ray: run on Ray in shards (matcher/distributed/, the same matches), else in this process."""
    settings = settings or Settings()
    for path in (out, *also):
        _check_out(path)
    if top_k < 1:
        raise ConfigError(f"--top must be at least 1, got {top_k}")
    timings: dict[str, float] = {}
    start = time.perf_counter()
    # Both files are validated before any model is loaded or anything is written.
    suppliers = load_suppliers(suppliers_path, header_row=header_row)
    requirements = load_requirements(requirements_path, header_row=header_row)
    timings["ingest"] = time.perf_counter() - start
    cache = cache_file(settings, cache_path)
    with open_engine(settings, cache_path=cache, encoder=encoder) as engine:
        t = time.perf_counter()
        if ray is not None:
            matches, unmatched = match_on_ray(
                engine, suppliers.records, requirements.records, top_k, ray, cache, reporter
            )
            timings["match"] = time.perf_counter() - t
        else:
            engine.build(suppliers.records, reporter)
            timings["index"] = time.perf_counter() - t
            t = time.perf_counter()
            matches = engine.match(requirements.records, top_k, reporter)
            timings["match"] = time.perf_counter() - t
            answered = {m.requirement_id for m in matches}
            unmatched = {
                r.requirement_id: engine.why_empty(r)
                for r in requirements.records
                if r.requirement_id not in answered
            }
        hits, misses = _cache_counts(engine)
    by_id = {s.supplier_id: s for s in suppliers.records}
    by_req = {r.requirement_id: r for r in requirements.records}
    for path in (out, *also):
        write_matches(matches, path, by_id, by_req, contacts=contacts)
    timings["total"] = time.perf_counter() - start
    return MatchSummary(
        suppliers=len(suppliers.records),
        requirements=len(requirements.records),
        matches=len(matches),
        encoder=engine.encoder.model_id,
        out=out,
        duplicates=suppliers.duplicates,
        unmatched=unmatched,
        cache_hits=hits,
        cache_misses=misses,
        seconds=timings,
    )


def _cache_counts(engine: Engine) -> tuple[int, int]:
    """(hits, misses) of the engine's embedding cache so far; (0, 0) without one."""
    return getattr(engine.encoder, "hits", 0), getattr(engine.encoder, "misses", 0)


def ingest_file(
    workspace: Path, kind: str, path: Path, header_row: int | None = None
) -> tuple[int, int, list[DuplicateFirm]]:
    """Validate a whole file, then upsert it into the workspace database in one transaction."""
    if kind == "suppliers":
        result = load_suppliers(path, header_row=header_row)
        inserted, updated = Workspace(workspace).upsert_suppliers(result.records)
        return inserted, updated, result.duplicates
    if kind == "requirements":
        reqs = load_requirements(path, header_row=header_row)
        inserted, updated = Workspace(workspace).upsert_requirements(reqs.records)
        return inserted, updated, []
    raise ConfigError(f"unknown kind {kind!r}: use 'suppliers' or 'requirements'")


def build_workspace_index(
    workspace: Path,
    settings: Settings | None = None,
    reporter: Reporter | None = None,
    ray: RayOptions | None = None,
) -> dict[str, Any]:
    """Embed (re-using cached vectors) and index every registered supplier; swap atomically.

    ray: embed on Ray in shards (matcher/distributed/workspace.py), then index the merged
    vectors here: the same index, searched and served as one built in this process."""
    settings = settings or Settings()
    ws = Workspace(workspace)
    suppliers = ws.suppliers()
    if not suppliers:
        raise WorkspaceError(
            f"no suppliers in {workspace}: run `matcher ingest suppliers FILE` first"
        )
    # The user's one embedding cache, the same the batch commands use (cache_file): a register
    # indexed here is not embedded again by `matcher match` or `matcher event plan`.
    with open_engine(settings, cache_path=cache_file(settings)) as engine:
        if ray is not None:
            counts = index_on_ray(engine, suppliers, ray, cache_file(settings), reporter)
            embedded, reused = counts["embedded"], counts["reused"]
            folder = engine.save(ws.index_dir)
        else:
            folder = engine.build(suppliers, reporter).save(ws.index_dir)
            embedded, reused = _cache_counts(engine)[::-1]
    return {
        "suppliers": len(suppliers),
        "version": folder.name,
        "model_id": engine.encoder.model_id,
        "embedded": embedded,
        "reused": reused,
    }


def search_workspace(
    workspace: Path,
    text: str,
    top_k: int = 10,
    filters: Filters | None = None,
    settings: Settings | None = None,
) -> SearchResult:
    settings = settings or Settings()
    ws = Workspace(workspace)
    cache = cache_file(settings)
    with open_engine(settings, cache_path=cache, index_root=ws.index_dir) as engine:
        return search(engine, text, top_k, filters)


def run_demo(
    out_dir: Path,
    settings: Settings | None = None,
    reporter: Reporter | None = None,
    top_k: int = 10,
) -> dict[str, Any]:
    """The main job on the bundled sample: matches (CSV + XLSX), summary, quality on the labels."""
    settings = settings or Settings()
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = run_match(
        SAMPLE_DIR / "suppliers.csv",
        SAMPLE_DIR / "requirements.csv",
        out_dir / "matches.csv",
        top_k,
        settings,
        reporter,
        cache_path=out_dir / ".cache" / "embeddings.sqlite",
        also=[out_dir / "matches.xlsx"],  # the same matches as the organisers' workbook
    )
    result: dict[str, Any] = {
        "suppliers": summary.suppliers,
        "requirements": summary.requirements,
        "matches": summary.matches,
        "encoder": summary.encoder,
        "duplicates": len(summary.duplicates),
        "unmatched": summary.unmatched,
        "seconds": {k: round(v, 2) for k, v in summary.seconds.items()},
        "outputs": ["matches.csv", "matches.xlsx", "summary.json"],
    }
    labels = SAMPLE_DIR / "labels.csv"
    if labels.exists():
        from matcher.evaluation.metrics import evaluate_file

        result["quality"] = evaluate_file(out_dir / "matches.csv", labels, k=top_k)
    event = run_event_plan(
        SAMPLE_DIR / "event.yaml",
        SAMPLE_DIR / "suppliers.csv",
        SAMPLE_DIR / "requirements.csv",
        out_dir / "event",
        settings=settings,
        reporter=reporter,
        cache_path=out_dir / ".cache" / "embeddings.sqlite",
    )
    result["event"] = {
        "meetings": event.meetings,
        **{k: event.kpis[k] for k in EVENT_SUMMARY_KPIS if k in event.kpis},
        "seconds": round(event.seconds["total"], 1),
    }
    result["outputs"].append("event/ (schedule.csv, kpis.json, ics/, agendas/, *.xlsx)")
    (out_dir / "summary.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return result


EVENT_SUMMARY_KPIS = (
    "suppliers_with_meeting_share",
    "mean_score",
    "idle_table_slots",
    "slots_used",
)


# -- events ----------------------------------------------------------------------------------------
@dataclass
class EventSummary:
    out: Path
    meetings: int
    kpis: dict[str, Any]
    diagnostics: list[str]
    what_if: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def run_event_plan(
    event_path: Path,
    suppliers_path: Path,
    requirements_path: Path,
    out: Path,
    top_k: int = 20,
    locked: Path | None = None,
    what_if: Sequence[str] = (),
    settings: Settings | None = None,
    reporter: Reporter | None = None,
    cache_path: Path | None = None,
    pdf: bool = False,
) -> EventSummary:
    """Match, allocate meetings, schedule them and write the event folder (replaced whole); with
    ``pdf``, the agendas and the floor plan as PDF too.

    Every input (register, requirements, event file, locked meetings, what-if options) is checked
    before anything is computed or written, and so is the PDF library when ``pdf``.
    """
    if pdf:
        events.check_pdf_available()
    settings = settings or Settings()
    reporter = reporter or SilentReporter()
    timings: dict[str, float] = {}
    start = time.perf_counter()
    suppliers = load_suppliers(suppliers_path).records
    requirements = load_requirements(requirements_path).records
    event = events.prepare_event(event_path, requirements, suppliers, locked)
    for option in what_if:
        events.apply_option(event, option)  # rejects a malformed option before solving
    timings["ingest"] = time.perf_counter() - start
    with open_engine(settings, cache_path=cache_file(settings, cache_path)) as engine:
        t = time.perf_counter()
        matches = engine.build(suppliers, reporter).match(requirements, top_k, reporter)
        timings["match"] = time.perf_counter() - t
    t = time.perf_counter()
    with reporter.stage("Planning meetings", None) as advance:
        plan = plan_meetings(event, matches, requirements, suppliers, out, pdf)
        advance(1)
    timings["plan"] = time.perf_counter() - t
    whatifs: list[dict[str, Any]] = []
    if what_if:
        with reporter.stage("What-if plans", len(what_if)) as advance:
            results = events.what_if(event, matches, requirements, suppliers, what_if, plan)
            advance(len(what_if))
        whatifs = events.what_if_rows(results)
    timings["total"] = time.perf_counter() - start
    return EventSummary(
        out, len(plan.meetings), dict(plan.kpis), list(plan.diagnostics), whatifs, timings
    )
