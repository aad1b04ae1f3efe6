"""The pipeline: the only module that knows the order of the stages.

ingest → normalise → embed → index (dense + lexical) → retrieve → rank → export
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

from matcher.artifacts import (
    MANIFEST,
    POINTER,
    REBUILD,
    current_version,
    read_manifest,
    write_version,
)
from matcher.config import DEFAULT_LEXICON, SAMPLE_DIR, Settings
from matcher.embed import (
    CachedEncoder,
    EmbeddingCache,
    Encoder,
    Vectors,
    default_cache_path,
    get_encoder,
)
from matcher.errors import ConfigError, IndexArtifactError, WorkspaceError
from matcher.export import EXPORT_SUFFIXES, write_matches
from matcher.index import DenseIndex
from matcher.ingest import load_requirements, load_suppliers
from matcher.lexical import LexicalIndex
from matcher.lexicon import Lexicon, learn_lexicon, load_lexicon, taxonomy_pairs
from matcher.normalise import (
    NormalisedRequirement,
    Taxonomy,
    load_taxonomy,
    normalise_requirement,
    normalise_supplier,
)
from matcher.rank import (
    AVAILABILITY,
    FEATURES,
    TransparentRanker,
    availability,
    load_gating,
    load_spread_target,
    load_weights,
)
from matcher.retrieve import Candidate, FilterMasks, Filters, HybridRetriever, describe_empty
from matcher.schemas import DuplicateFirm, Match, Requirement, Supplier
from matcher.store import Workspace

log = logging.getLogger(__name__)


class Reporter(Protocol):
    """Progress sink: the CLI draws bars, the library stays silent."""

    def stage(
        self, name: str, total: int | None
    ) -> AbstractContextManager[Callable[[int], None]]: ...


class SilentReporter:
    def stage(self, name: str, total: int | None) -> AbstractContextManager[Callable[[int], None]]:
        return nullcontext(lambda n: None)


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


class Engine:
    """A supplier register made searchable: normalised profiles, dense + lexical indexes, ranker."""

    def __init__(
        self,
        settings: Settings | None = None,
        encoder: Encoder | None = None,
        cache: EmbeddingCache | None = None,
    ) -> None:
        self.settings = settings or Settings()
        inner = encoder or get_encoder(self.settings.embed.encoder)
        self.encoder: Encoder = CachedEncoder(inner, cache) if cache is not None else inner
        self.taxonomy: Taxonomy = load_taxonomy(self.settings.normalise.taxonomy)
        self.lexicon = self._lexicon()
        weights_file = self.settings.rank.weights
        self.ranker = TransparentRanker(
            load_weights(weights_file),
            self.taxonomy,
            self.settings.retrieve.rrf_k,
            gated=load_gating(weights_file),
            tied_coverage_to=load_spread_target(weights_file),
        )

    def _lexicon(self) -> Lexicon | None:
        choice = self.settings.normalise.lexicon
        if choice == "off":
            return None
        if choice == "taxonomy":
            return learn_lexicon(taxonomy_pairs(self.taxonomy))
        return load_lexicon(DEFAULT_LEXICON if choice == "shipped" else Path(choice))

    # -- build ---------------------------------------------------------------------------------
    def build(self, suppliers: Sequence[Supplier], reporter: Reporter | None = None) -> Engine:
        """Normalise, embed and index the register."""
        reporter = reporter or SilentReporter()
        if not suppliers:
            raise ConfigError("the supplier register is empty: nothing to index")
        self.suppliers_ = [normalise_supplier(s, self.taxonomy, self.lexicon) for s in suppliers]
        self.encoder.fit([s.text for s in self.suppliers_])
        texts, owners = [], []
        for position, s in enumerate(self.suppliers_):
            for chunk in s.chunks(self.settings.embed.chunk_words):
                texts.append(chunk)
                owners.append(position)
        with reporter.stage("Embedding suppliers", len(texts)) as advance:
            vectors = self.encoder.encode_suppliers(
                texts, batch_size=self.settings.embed.batch_size, progress=advance
            )
        return self._index(vectors, np.asarray(owners, dtype=np.int64))

    def _index(self, vectors: np.ndarray[Any, Any], owners: np.ndarray[Any, Any]) -> Engine:
        ids = [s.supplier.supplier_id for s in self.suppliers_]
        idx = self.settings.index
        self.dense_ = DenseIndex(idx.exact_below, idx.hnsw_m, idx.hnsw_ef_search).build(
            vectors, ids, owners
        )
        self.lexical_ = LexicalIndex().build([s.lexical_text for s in self.suppliers_], ids)
        self.translated_ = self._translated_index(ids)
        self._retriever()
        return self

    def _retriever(self) -> None:
        self.retriever_ = HybridRetriever(
            self.dense_,
            self.lexical_,
            FilterMasks(self.suppliers_),
            candidates=self.settings.retrieve.candidates,
            rrf_k=self.settings.retrieve.rrf_k,
            translated=self.translated_,
        )

    def _translated_index(self, ids: list[str]) -> LexicalIndex | None:
        # Rebuilt rather than saved: it is derived from the profiles and the lexicon in seconds.
        if self.lexicon is None:
            return None
        texts = [f"{s.text} {s.translated_text}" for s in self.suppliers_]
        return LexicalIndex().build(texts, ids)

    # -- query ---------------------------------------------------------------------------------
    def match(
        self, requirements: Sequence[Requirement], top_k: int = 10, reporter: Reporter | None = None
    ) -> list[Match]:
        """Ranked, explained suppliers for each requirement (hard filters from the requirement)."""
        reporter = reporter or SilentReporter()
        embedded = self._embed_requirements(requirements, reporter)
        out: list[Match] = []
        with reporter.stage("Ranking", len(embedded)) as advance:
            for req, vector in embedded:
                candidates = self._retrieve(req, vector, top_k)
                out.extend(self.ranker.rank(req, self.suppliers_, candidates, top_k))
                advance(1)
        return out

    def _embed_requirements(
        self, requirements: Sequence[Requirement], reporter: Reporter
    ) -> list[tuple[NormalisedRequirement, Vectors]]:
        normalised = [normalise_requirement(r, self.taxonomy, self.lexicon) for r in requirements]
        with reporter.stage("Embedding requirements", len(normalised)) as advance:
            vectors = self.encoder.encode_requirements(
                [r.text for r in normalised],
                batch_size=self.settings.embed.batch_size,
                progress=advance,
            )
        return list(zip(normalised, vectors, strict=True))

    def _retrieve(self, req: NormalisedRequirement, vector: Vectors, depth: int) -> list[Candidate]:
        """One requirement's filtered hybrid candidates."""
        filters = self._requirement_filters(req.requirement)
        return self.retriever_.retrieve(
            vector, req.lexical_text, filters, depth, req.translated_text
        )

    def candidate_features(
        self,
        requirements: Sequence[Requirement],
        depth: int = 100,
        reporter: Reporter | None = None,
    ) -> list[tuple[str, list[str], np.ndarray[Any, np.dtype[np.float32]]]]:
        """Per requirement: candidate ids and their feature matrix (FEATURES, then AVAILABILITY).

        What the ranker scores, exposed so that weights can be tuned, or a learned ranker
        trained, without re-running retrieval for every trial.
        """
        reporter = reporter or SilentReporter()
        embedded = self._embed_requirements(requirements, reporter)
        out = []
        with reporter.stage("Candidate features", len(embedded)) as advance:
            for req, vector in embedded:
                candidates = self._retrieve(req, vector, depth)
                rows = self.ranker.features(req, self.suppliers_, candidates)
                # The requirement's signal availability rides along as constant columns, so a
                # tuner can gate weights (matcher.rank.effective_weights) or a learner use it.
                gates = availability(req)
                columns = len(FEATURES) + len(AVAILABILITY)
                matrix = np.array(
                    [[row[f] for f in FEATURES] + [gates[a] for a in AVAILABILITY] for row in rows],
                    dtype=np.float32,
                )
                ids = [self.suppliers_[c.position].supplier.supplier_id for c in candidates]
                out.append((req.requirement.requirement_id, ids, matrix.reshape(len(ids), columns)))
                advance(1)
        return out

    def _requirement_filters(self, requirement: Requirement) -> Filters:
        hard = set(self.settings.retrieve.requirement_filters)
        return Filters.build(
            requirement.required_certifications if "certifications" in hard else [],
            requirement.sector if "sector" in hard else [],
            [requirement.province] if requirement.province and "province" in hard else [],
        )

    def why_empty(self, requirement: Requirement) -> str:
        """Say which hard filter left a requirement without any qualifying supplier."""
        return self.why_filtered_out(self._requirement_filters(requirement))

    def why_filtered_out(self, filters: Filters) -> str:
        """Say which of these filters leaves no supplier (for an empty search)."""
        return describe_empty(self.retriever_.masks.counts(filters), len(self.suppliers_))

    def search(self, text: str, top_k: int = 10, filters: Filters | None = None) -> list[Match]:
        """Free text in any language → ranked suppliers (the buyer's search box)."""
        req = normalise_requirement(search_requirement(text, filters), self.taxonomy, self.lexicon)
        vector = self.encoder.encode_requirements([req.text])[0]
        candidates = self.retriever_.retrieve(
            vector, req.lexical_text, filters or Filters(), top_k, req.translated_text
        )
        return self.ranker.rank(req, self.suppliers_, candidates, top_k)

    # -- persistence ---------------------------------------------------------------------------
    def save(self, root: Path) -> Path:
        """Write the index as a new atomic version under ``root``."""

        def fill(folder: Path) -> None:
            self.dense_.save(folder)
            self.lexical_.save(folder)
            with open(folder / SUPPLIERS_FILE, "w", encoding="utf-8") as handle:
                for s in self.suppliers_:
                    handle.write(s.supplier.model_dump_json() + "\n")

        metadata = {
            "model_id": self.encoder.model_id,
            "encoder": self.settings.embed.encoder,
            "dim": int(self.dense_.vectors_.shape[1]),
            "count": len(self.suppliers_),
            "dense_kind": self.dense_.kind,
        }
        return write_version(root, fill, metadata)

    @classmethod
    def load(
        cls, root: Path, settings: Settings | None = None, cache: EmbeddingCache | None = None
    ) -> Engine:
        """Load the current index version under ``root``.

        Raises WorkspaceError when there is none yet, IndexArtifactError (naming the file) when
        it is corrupt or inconsistent.
        """
        folder = current_version(root)
        if folder is None:
            raise WorkspaceError(f"no index in {root}: run `matcher index` first")
        return cls.load_version(folder, settings, cache)

    @classmethod
    def load_version(
        cls,
        folder: Path,
        settings: Settings | None = None,
        cache: EmbeddingCache | None = None,
        encoder: Encoder | None = None,
    ) -> Engine:
        """Load one index version folder; every file is opened only once the manifest vouches
        for it, and every count the manifest states is checked against what was read.

        encoder: one already loaded (the live index re-uses its own), else the manifest's."""
        if not folder.is_dir():
            raise IndexArtifactError(
                f"{folder}: the index version {folder.parent / POINTER} names does not exist; "
                f"{REBUILD}"
            )
        manifest = read_manifest(folder, required=INDEX_FILES)
        encoder_name = _manifest_field(folder, manifest, "encoder", str)
        model_id = _manifest_field(folder, manifest, "model_id", str)
        dim = _manifest_field(folder, manifest, "dim", int)
        count = _manifest_field(folder, manifest, "count", int)
        settings = settings or Settings()
        if encoder_name != settings.embed.encoder:
            settings = settings.model_copy(deep=True)
            settings.embed.encoder = encoder_name
        engine = cls(settings, encoder=encoder, cache=cache)
        if engine.encoder.model_id != model_id:
            raise WorkspaceError(
                f"index was built with {model_id}, encoder is {engine.encoder.model_id}; {REBUILD}"
            )
        suppliers = _read_suppliers(folder / SUPPLIERS_FILE, count)
        engine.suppliers_ = [
            normalise_supplier(s, engine.taxonomy, engine.lexicon) for s in suppliers
        ]
        engine.encoder.fit([s.text for s in engine.suppliers_])
        if engine.encoder.dim != dim:
            raise IndexArtifactError(
                f"{folder / MANIFEST}: vectors of dimension {dim}, but {model_id} gives "
                f"{engine.encoder.dim}; {REBUILD}"
            )
        ids = [s.supplier.supplier_id for s in engine.suppliers_]
        idx = settings.index
        engine.dense_ = DenseIndex.load(
            folder,
            ids,
            dim,
            exact_below=idx.exact_below,
            hnsw_m=idx.hnsw_m,
            ef_search=idx.hnsw_ef_search,
        )
        engine.lexical_ = LexicalIndex.load(folder, ids)
        engine.translated_ = engine._translated_index(ids)
        engine._retriever()
        return engine


SUPPLIERS_FILE = "suppliers.jsonl"
# Every file Engine.save writes and Engine.load opens; a manifest must list each of them.
INDEX_FILES = (*DenseIndex.FILES, *LexicalIndex.FILES, SUPPLIERS_FILE)
_FieldT = TypeVar("_FieldT", str, int)


def _manifest_field(
    folder: Path, manifest: dict[str, Any], name: str, kind: type[_FieldT]
) -> _FieldT:
    value = manifest.get(name)
    # bool is an int to Python, never a count or a dimension here.
    bad_int = isinstance(value, bool) or (isinstance(value, int) and value < 1)
    if not isinstance(value, kind) or bad_int:
        found = f"is {value!r}" if name in manifest else "is missing"
        raise IndexArtifactError(
            f"{folder / MANIFEST}: {name!r} {found}, expected a "
            f"{'positive integer' if kind is int else 'string'}; {REBUILD}"
        )
    return value


def _read_suppliers(path: Path, count: int) -> list[Supplier]:
    suppliers: list[Supplier] = []
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    suppliers.append(Supplier.model_validate_json(line))
                except ValueError as exc:
                    first = str(exc).splitlines()[0]
                    raise IndexArtifactError(f"{path}, line {number}: {first}; {REBUILD}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexArtifactError(f"{path}: unreadable ({exc}); {REBUILD}") from None
    if len(suppliers) != count:
        raise IndexArtifactError(
            f"{path}: {len(suppliers)} suppliers, the manifest says {count}; {REBUILD}"
        )
    if len({s.supplier_id for s in suppliers}) != count:
        raise IndexArtifactError(f"{path}: a supplier id appears twice; {REBUILD}")
    return suppliers


def search_requirement(text: str, filters: Filters | None = None) -> Requirement:
    """A free-text search as a requirement: its certification filter becomes the requirement's
    required certifications, so that explanations say which ones each supplier holds."""
    certifications = sorted(filters.required_certifications) if filters else []
    return Requirement(
        requirement_id="query",
        buyer="query",
        description=text,
        required_certifications=certifications,
    )


# -- jobs the CLI runs -----------------------------------------------------------------------------
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
) -> MatchSummary:
    """Stateless batch ranking: two files in, one file of ranked, explained matches out.

    header_row: the header's row in both files (default: found among the top rows)."""
    settings = settings or Settings()
    _check_out(out)
    if top_k < 1:
        raise ConfigError(f"--top must be at least 1, got {top_k}")
    timings: dict[str, float] = {}
    start = time.perf_counter()
    # Both files are validated before any model is loaded or anything is written.
    suppliers = load_suppliers(suppliers_path, header_row=header_row)
    requirements = load_requirements(requirements_path, header_row=header_row)
    timings["ingest"] = time.perf_counter() - start
    cache = EmbeddingCache(cache_path or default_cache_path()) if settings.embed.cache else None
    try:
        t = time.perf_counter()
        engine = Engine(settings, encoder=encoder, cache=cache).build(suppliers.records, reporter)
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
        write_matches(matches, out, {s.supplier_id: s for s in suppliers.records})
    finally:
        if cache is not None:
            cache.close()
    timings["total"] = time.perf_counter() - start
    enc = engine.encoder
    return MatchSummary(
        suppliers=len(suppliers.records),
        requirements=len(requirements.records),
        matches=len(matches),
        encoder=enc.model_id,
        out=out,
        duplicates=suppliers.duplicates,
        unmatched=unmatched,
        cache_hits=getattr(enc, "hits", 0),
        cache_misses=getattr(enc, "misses", 0),
        seconds=timings,
    )


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
    workspace: Path, settings: Settings | None = None, reporter: Reporter | None = None
) -> dict[str, Any]:
    """Embed (re-using cached vectors) and index every registered supplier; swap atomically."""
    settings = settings or Settings()
    ws = Workspace(workspace)
    suppliers = ws.suppliers()
    if not suppliers:
        raise WorkspaceError(
            f"no suppliers in {workspace}: run `matcher ingest suppliers FILE` first"
        )
    cache = EmbeddingCache(ws.cache_path)
    try:
        engine = Engine(settings, cache=cache).build(suppliers, reporter)
        folder = engine.save(ws.index_dir)
    finally:
        cache.close()
    enc = engine.encoder
    return {
        "suppliers": len(suppliers),
        "version": folder.name,
        "model_id": enc.model_id,
        "embedded": getattr(enc, "misses", 0),
        "reused": getattr(enc, "hits", 0),
    }


@dataclass
class SearchResult:
    """A search's matches and, when hard filters left none, which filter did it."""

    matches: list[Match]
    why_empty: str | None = None


def search_workspace(
    workspace: Path,
    text: str,
    top_k: int = 10,
    filters: Filters | None = None,
    settings: Settings | None = None,
) -> SearchResult:
    ws = Workspace(workspace)
    cache = EmbeddingCache(ws.cache_path)
    try:
        engine = Engine.load(ws.index_dir, settings, cache=cache)
        matches = engine.search(text, top_k, filters)
        if not matches and filters is not None and not filters.is_empty():
            return SearchResult(matches, engine.why_filtered_out(filters))
        return SearchResult(matches)
    finally:
        cache.close()


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
    )
    # The same matches as a spreadsheet for organisers; re-read rather than re-ranked.
    import pandas as pd

    from matcher.export import write_table

    frame = pd.read_csv(out_dir / "matches.csv", dtype=str, keep_default_na=False)
    rows = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    write_table(rows, [str(c) for c in frame.columns], out_dir / "matches.xlsx")
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
        from matcher.evaluate import evaluate_file

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
) -> EventSummary:
    """Match, allocate meetings, schedule them and write the event folder (replaced whole).

    Every input (register, requirements, event file, locked meetings, what-if options) is checked
    before anything is computed or written.
    """
    from matcher import events as event_plan
    from matcher.events import agenda

    settings = settings or Settings()
    reporter = reporter or SilentReporter()
    timings: dict[str, float] = {}
    start = time.perf_counter()
    suppliers = load_suppliers(suppliers_path).records
    requirements = load_requirements(requirements_path).records
    event = event_plan.prepare_event(event_path, requirements, suppliers, locked)
    for option in what_if:
        event_plan.apply_option(event, option)  # rejects a malformed option before solving
    timings["ingest"] = time.perf_counter() - start
    cache = EmbeddingCache(cache_path or default_cache_path()) if settings.embed.cache else None
    try:
        t = time.perf_counter()
        engine = Engine(settings, cache=cache).build(suppliers, reporter)
        matches = engine.match(requirements, top_k, reporter)
        timings["match"] = time.perf_counter() - t
    finally:
        if cache is not None:
            cache.close()
    t = time.perf_counter()
    with reporter.stage("Planning meetings", None) as advance:
        plan = event_plan.plan_event(event, matches, requirements, suppliers)
        advance(1)
    timings["plan"] = time.perf_counter() - t
    whatifs: list[dict[str, Any]] = []
    if what_if:
        with reporter.stage("What-if plans", len(what_if)) as advance:
            results = event_plan.what_if(event, matches, requirements, suppliers, what_if, plan)
            advance(len(what_if))
        whatifs = agenda.what_if_rows(results)
    agenda.write_event_outputs(plan, out)
    timings["total"] = time.perf_counter() - start
    return EventSummary(
        out, len(plan.meetings), dict(plan.kpis), list(plan.diagnostics), whatifs, timings
    )
