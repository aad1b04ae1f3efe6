"""The suite runner: every method (baselines and the engine) on a suite, scored by metrics.py."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from matcher.config import Settings
from matcher.encoders import default_cache_path
from matcher.errors import ConfigError
from matcher.evaluation.baselines import (
    bm25_run,
    cached_encoder,
    default_cache,
    dense_run,
    dense_vectors,
    rrf_run,
    tfidf_run,
)
from matcher.evaluation.metrics import RunDict, evaluate_per_query
from matcher.evaluation.suites import HS_CHAPTERS, Suite, external_dir, load_suite
from matcher.learn import FeatureSet, score_run
from matcher.lexicon import clean_lexicon
from matcher.normalise import load_taxonomy
from matcher.schemas import Requirement, Supplier

if TYPE_CHECKING:
    from matcher.engine import Engine
    from matcher.progress import Reporter

# The engine's own signals, each ranking alone over the engine's candidates (matcher.rank
# FEATURES; ties fall in the candidates' fused order, as the weight tuner scores them): the
# engine should be at or above every one of them.
SIGNALS = ("dense", "lexical", "translated", "fusion", "taxonomy")
SIGNAL_METHODS = tuple(f"{s}-alone" for s in SIGNALS)
METHODS = (
    "bm25",
    "tfidf-word",
    "tfidf-char",
    "minilm",
    "e5",
    "rrf-bm25-e5",
    "engine",
    *SIGNAL_METHODS,
)


def suite_documents(suite: Suite, part: str) -> list[Supplier]:
    """The documents a part's queries are answered against.

    gebiz keeps one document set per part (profiles end at that part's cut-off).
    """
    prefixed = [s for s in suite.suppliers if s.supplier_id.startswith(f"{part}:")]
    return prefixed or list(suite.suppliers)


def _dense_memo(texts: list[str], qtexts: list[str]) -> Callable[[str], tuple[Any, Any]]:
    """Embed one part's documents and queries once per encoder, however many methods use them."""
    memo: dict[str, tuple[Any, Any]] = {}

    def dense(name: str) -> tuple[Any, Any]:
        if name not in memo:
            memo[name] = dense_vectors(cached_encoder(name), texts, qtexts)
        return memo[name]

    return dense


class _EngineMemo:
    """One part's engine, built once however many engine methods use it, and its candidates'
    features (for the single-signal runs)."""

    def __init__(
        self,
        suite: Suite,
        docs: list[Supplier],
        queries: list[Requirement],
        settings: Settings | None,
        reporter: Reporter | None,
    ) -> None:
        self.suite, self.docs, self.queries = suite, docs, queries
        self.settings, self.reporter = settings, reporter
        self._engine: Engine | None = None
        self._features: list[FeatureSet] | None = None

    def built(self) -> Engine:
        from matcher.engine import Engine

        if self._engine is None:
            own, _ = engine_settings(self.suite, self.settings)
            self._engine = Engine(own, cache=default_cache()).build(self.docs, self.reporter)
        return self._engine

    def features(self) -> list[FeatureSet]:
        if self._features is None:
            engine = self.built()
            self._features = engine.candidate_features(
                self.queries, depth=engine.settings.retrieve.candidates, reporter=self.reporter
            )
        return self._features


def clean_nomenclature_lexicon(
    taxonomy: Path, exclude_chapters: Sequence[str] | None = None
) -> Path:
    """A lexicon learnt from ../shared's nomenclature without these chapters (default: the hs
    suites' own), cached beside the embeddings."""
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

    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ConfigError(f"unknown methods {sorted(unknown)}: use any of {', '.join(METHODS)}")
    parts: list[Literal["dev", "test"]] = ["dev", "test"] if part == "all" else [part]
    runs: dict[str, RunDict] = {m: {} for m in methods}
    seconds: dict[str, float] = dict.fromkeys(methods, 0.0)
    for p in parts:
        docs = suite_documents(suite, p)
        queries = suite.part(p)
        ids = [d.supplier_id for d in docs]
        texts = [
            f"{d.name}. {d.description}" if suite.name == "gebiz" else d.description for d in docs
        ]
        qids = [q.requirement_id for q in queries]
        qtexts = [q.description for q in queries]
        dense = _dense_memo(texts, qtexts)
        engine = _EngineMemo(suite, docs, queries, settings, reporter)
        for method in methods:
            start = time.perf_counter()
            if method == "bm25":
                run = bm25_run(ids, texts, qids, qtexts)
            elif method in ("tfidf-word", "tfidf-char"):
                run = tfidf_run(ids, texts, qids, qtexts, method.split("-")[1])
            elif method in ("minilm", "e5"):
                d, q = dense(method)
                run = dense_run(ids, d, qids, q)
            elif method == "rrf-bm25-e5":
                d, q = dense("e5")
                run = rrf_run(
                    [
                        bm25_run(ids, texts, qids, qtexts),
                        dense_run(ids, d, qids, q),
                    ]
                )
            elif method == "engine":
                run = {}
                for m in engine.built().match(queries, 10, reporter):
                    run.setdefault(m.requirement_id, {})[m.supplier_id] = m.score
            else:
                run = score_run(engine.features(), {method.removesuffix("-alone"): 1.0})
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
    """Metrics for every method on a suite (and its slices); optionally written to OUT/NAME.json.

    ``limit``: exactly this many labelled queries of ``part`` (a seeded sample; all of them when
    there are fewer), not this many per part as the suites' own sampling gives."""
    if limit is not None and limit < 1:
        raise ConfigError(f"--limit {limit}: give at least 1 query")
    # The suites sample per part (gebiz) or across parts (hs-*): a wider pool, then the part's.
    suite = load_suite(name, limit=None if limit is None else max(3 * limit, 1000))
    if limit is not None:
        suite = limited(suite, part, limit)
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
            metrics, per_query = evaluate_per_query(qrels, runs[method], 10)
            rows.append(
                {
                    "suite": name,
                    "part": part,
                    "slice": slice_name,
                    "method": method,
                    **metrics,
                    "seconds": round(seconds[method], 1),
                    **({"note": note} if note and method == "engine" else {}),
                    # each query's nDCG@10, for paired tests between methods (benchmarks/quality.py)
                    **({"ndcg@10_per_query": per_query} if slice_name == "all" else {}),
                }
            )
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.json").write_text(json.dumps(rows, indent=2))
    return rows


def limited(suite: Suite, part: Literal["dev", "test", "all"], limit: int) -> Suite:
    """The suite with at most ``limit`` labelled queries of ``part`` (a seeded sample, the same
    on every run), so that `matcher eval --limit N` runs N queries, not N per part."""
    labelled = sorted(
        q.requirement_id for q in suite.part(part) if suite.qrels.get(q.requirement_id)
    )
    keep = set(labelled)
    if len(labelled) > limit:
        keep = set(random.Random(20261201).sample(labelled, limit))
    requirements = [r for r in suite.requirements if r.requirement_id in keep]
    slices = {k: v & keep for k, v in suite.slices.items()}
    return replace(suite, requirements=requirements, slices=slices)
