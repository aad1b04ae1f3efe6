"""Evaluate: recall@k, MRR@k and nDCG@k of a ranked run against graded relevance labels (ranx)."""

from __future__ import annotations

import csv
import json
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from matcher.config import Settings
from matcher.errors import ConfigError, InputDataError, Problem
from matcher.schemas import Supplier
from matcher.suites import Suite, load_suite

if TYPE_CHECKING:
    from matcher.pipeline import Reporter

Qrels = dict[str, dict[str, int]]
RunDict = dict[str, dict[str, float]]


def read_labels(path: Path) -> Qrels:
    """labels.csv: requirement_id, supplier_id, grade (0 = not relevant, 1 = partly, 2 = fully)."""
    qrels: Qrels = defaultdict(dict)
    problems = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row_no, row in enumerate(csv.DictReader(handle), start=2):
            try:
                grade = int(row["grade"])
            except (KeyError, TypeError, ValueError):
                problems.append(Problem(str(path), row_no, "grade", "must be an integer 0–2"))
                continue
            if grade > 0:
                qrels[row["requirement_id"]][row["supplier_id"]] = grade
    if problems:
        raise InputDataError(problems)
    return dict(qrels)


def read_run(path: Path) -> RunDict:
    """A `matcher match` output: requirement_id, supplier_id, score (rank 1 = best)."""
    run: RunDict = defaultdict(dict)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            run[row["requirement_id"]][row["supplier_id"]] = float(row["score"])
    return dict(run)


def evaluate(
    qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Mapping[str, float]], k: int = 10
) -> dict[str, float]:
    """Mean recall@k, MRR@k, nDCG@k over the labelled queries (a query with no results scores 0).

    MRR counts any grade ≥ 1 as relevant; nDCG uses the grades as gains (ranx's "ndcg").
    """
    from ranx import Qrels as RQrels
    from ranx import Run as RRun
    from ranx import evaluate as ranx_evaluate

    labelled = {q: dict(d) for q, d in qrels.items() if d}
    if not labelled:
        raise ValueError("no labelled queries with a relevant document")
    # ranx needs every labelled query in the run; a query the system skipped gets a dummy miss.
    full_run = {q: dict(run.get(q) or {"__none__": 0.0}) for q in labelled}
    metrics = [f"recall@{k}", f"mrr@{k}", f"ndcg@{k}"]
    scores = ranx_evaluate(RQrels(labelled), RRun(full_run), metrics, make_comparable=True)
    result = {m: round(float(scores[m]), 4) for m in metrics}
    result["queries"] = len(labelled)
    return result


def evaluate_file(run_path: Path, labels_path: Path, k: int = 10) -> dict[str, float]:
    return evaluate(read_labels(labels_path), read_run(run_path), k)


# --- suites -------------------------------------------------------------------------------------
METHODS = ("bm25", "tfidf-word", "tfidf-char", "minilm", "e5", "rrf-bm25-e5", "engine")


def _documents(suite: Suite, part: str) -> list[Supplier]:
    # gebiz keeps one document set per part (profiles end at that part's cut-off).
    prefixed = [s for s in suite.suppliers if s.supplier_id.startswith(f"{part}:")]
    return prefixed or list(suite.suppliers)


def _dense_memo(texts: list[str], qtexts: list[str]) -> Callable[[str], tuple[Any, Any]]:
    """Embed one part's documents and queries once per encoder, however many methods use them."""
    from matcher import baselines

    memo: dict[str, tuple[Any, Any]] = {}

    def dense(name: str) -> tuple[Any, Any]:
        if name not in memo:
            memo[name] = baselines.dense_vectors(baselines.cached_encoder(name), texts, qtexts)
        return memo[name]

    return dense


def clean_nomenclature_lexicon(
    taxonomy: Path, exclude_chapters: Sequence[str] | None = None
) -> Path:
    """A lexicon learnt from ../shared's nomenclature without these chapters (default: the hs
    suites' own), cached beside the embeddings."""
    from matcher.encoders import default_cache_path
    from matcher.lexicon import clean_lexicon
    from matcher.normalise import load_taxonomy
    from matcher.suites import HS_CHAPTERS, external_dir

    return clean_lexicon(
        load_taxonomy(taxonomy),
        external_dir() / "vn_hs_bilingual" / "vn_hs_bilingual.csv",
        HS_CHAPTERS if exclude_chapters is None else exclude_chapters,
        default_cache_path().parent,
    )


def engine_settings(suite: Suite, settings: Settings | None) -> tuple[Settings, str | None]:
    """The settings the engine is evaluated with on a suite, and a note when they are not a user's.

    The shipped lexicon was learnt from the whole tariff nomenclature, so on the hs-* suites,
    whose queries and documents are nomenclature lines, it would have seen every test line's own
    translation. There the engine gets a lexicon rebuilt without the evaluated chapters.
    """
    settings = settings or Settings()
    if not suite.name.startswith("hs-") or settings.normalise.lexicon != "shipped":
        return settings, None
    from matcher.suites import HS_CHAPTERS

    clean = settings.model_copy(deep=True)
    clean.normalise.lexicon = clean_nomenclature_lexicon(settings.normalise.taxonomy)
    note = (
        f"engine lexicon: rebuilt without the evaluated chapters {', '.join(HS_CHAPTERS)} "
        "(the shipped one includes them)"
    )
    return clean, note


def suite_runs(
    suite: Suite,
    methods: Sequence[str],
    part: Literal["dev", "test", "all"] = "test",
    settings: Settings | None = None,
    reporter: Reporter | None = None,
) -> tuple[dict[str, RunDict], dict[str, float]]:
    """Runs of each method on one part of a suite, plus seconds per method."""
    from matcher import baselines
    from matcher.pipeline import Engine

    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ConfigError(f"unknown methods {sorted(unknown)}: use any of {', '.join(METHODS)}")
    parts: list[Literal["dev", "test"]] = ["dev", "test"] if part == "all" else [part]
    runs: dict[str, RunDict] = {m: {} for m in methods}
    seconds: dict[str, float] = dict.fromkeys(methods, 0.0)
    for p in parts:
        docs = _documents(suite, p)
        queries = suite.part(p)
        ids = [d.supplier_id for d in docs]
        texts = [
            f"{d.name}. {d.description}" if suite.name == "gebiz" else d.description for d in docs
        ]
        qids = [q.requirement_id for q in queries]
        qtexts = [q.description for q in queries]
        dense = _dense_memo(texts, qtexts)
        for method in methods:
            start = time.perf_counter()
            if method == "bm25":
                run = baselines.bm25_run(ids, texts, qids, qtexts)
            elif method in ("tfidf-word", "tfidf-char"):
                run = baselines.tfidf_run(ids, texts, qids, qtexts, method.split("-")[1])
            elif method in ("minilm", "e5"):
                d, q = dense(method)
                run = baselines.dense_run(ids, d, qids, q)
            elif method == "rrf-bm25-e5":
                d, q = dense("e5")
                run = baselines.rrf_run(
                    [
                        baselines.bm25_run(ids, texts, qids, qtexts),
                        baselines.dense_run(ids, d, qids, q),
                    ]
                )
            else:
                own, _ = engine_settings(suite, settings)
                engine = Engine(own, cache=baselines.default_cache()).build(docs, reporter)
                run = {}
                for m in engine.match(queries, 10, reporter):
                    run.setdefault(m.requirement_id, {})[m.supplier_id] = m.score
            runs[method].update(run)
            seconds[method] += time.perf_counter() - start
    return runs, seconds


def evaluate_suite(
    name: str,
    methods: Sequence[str] = METHODS,
    part: Literal["dev", "test", "all"] = "test",
    settings: Settings | None = None,
    out: Path | None = None,
    limit: int | None = None,
    reporter: Reporter | None = None,
) -> list[dict[str, Any]]:
    """Metrics for every method on a suite (and its slices); optionally written to OUT/NAME.json."""
    suite = load_suite(name, limit=limit)
    runs, seconds = suite_runs(suite, methods, part, settings, reporter)
    note = engine_settings(suite, settings)[1] if "engine" in methods else None
    wanted = {q.requirement_id for q in (suite.requirements if part == "all" else suite.part(part))}
    slices: dict[str, set[str]] = {"all": wanted}
    slices.update({k: v & wanted for k, v in suite.slices.items()})
    rows = []
    for method in methods:
        for slice_name, ids in slices.items():
            qrels = {q: suite.qrels[q] for q in ids if suite.qrels.get(q)}
            if not qrels:
                continue
            metrics = evaluate(qrels, runs[method], 10)
            rows.append(
                {
                    "suite": name,
                    "part": part,
                    "slice": slice_name,
                    "method": method,
                    **metrics,
                    "seconds": round(seconds[method], 1),
                    **({"note": note} if note and method == "engine" else {}),
                }
            )
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.json").write_text(json.dumps(rows, indent=2))
    return rows
