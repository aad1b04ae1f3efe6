"""The Engine: a supplier register made searchable, and ``open_engine``, the one way to get one.

normalise → embed → index (dense FAISS + lexical BM25 + the translated BM25 field) → retrieve →
rank. The Engine owns no files but its index versions (``save``/``load``, written atomically by
matcher/artifacts.py); the jobs that read inputs and write outputs are in matcher/jobs.py, the
long-lived workspace index that takes edits is matcher/live/.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from matcher.artifacts import (
    MANIFEST,
    POINTER,
    REBUILD,
    current_version,
    read_manifest,
    write_version,
)
from matcher.config import DEFAULT_LEXICON, Settings
from matcher.encoders import (
    CachedEncoder,
    EmbeddingCache,
    Encoder,
    Vectors,
    configure_threads,
    default_cache_path,
    get_encoder,
)
from matcher.errors import ConfigError, IndexArtifactError, WorkspaceError
from matcher.index import DenseIndex, dense_params
from matcher.lexical import LexicalIndex
from matcher.lexicon import Lexicon, learn_lexicon, load_lexicon, taxonomy_pairs
from matcher.normalise import (
    NormalisedRequirement,
    Taxonomy,
    load_taxonomy,
    normalise_requirement,
    normalise_supplier,
)
from matcher.progress import Reporter, SilentReporter
from matcher.rank import (
    AVAILABILITY,
    TransparentRanker,
    availability,
    load_gating,
    load_spread_target,
    load_weights,
)
from matcher.retrieve import Candidate, FilterMasks, Filters, HybridRetriever, describe_empty
from matcher.schemas import Match, Requirement, Supplier

log = logging.getLogger(__name__)


class Engine:
    """A supplier register made searchable: normalised profiles, dense + lexical indexes, ranker."""

    def __init__(
        self,
        settings: Settings | None = None,
        encoder: Encoder | None = None,
        cache: EmbeddingCache | None = None,
    ) -> None:
        self.settings = settings or Settings()
        configure_threads(self.settings.threads)  # before a model sizes its pool
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

    def build_from_vectors(
        self,
        suppliers: Sequence[Supplier],
        vectors: np.ndarray[Any, Any],
        owners: np.ndarray[Any, Any],
    ) -> Engine:
        """Normalise and index a register whose chunk vectors were embedded elsewhere (the
        encoder actors of matcher/distributed/): one row per chunk, in the order ``build``
        embeds them, ``owners[i]`` row i's supplier position."""
        if not suppliers:
            raise ConfigError("the supplier register is empty: nothing to index")
        self.suppliers_ = [normalise_supplier(s, self.taxonomy, self.lexicon) for s in suppliers]
        self.encoder.fit([s.text for s in self.suppliers_])
        chunks = [len(s.chunks(self.settings.embed.chunk_words)) for s in self.suppliers_]
        expected = np.repeat(np.arange(len(chunks), dtype=np.int64), chunks)
        if vectors.shape != (len(expected), self.encoder.dim) or not np.array_equal(
            owners, expected
        ):
            raise IndexArtifactError(
                f"vectors {vectors.shape} with rows of {len(set(owners.tolist()))} suppliers for "
                f"the register's {len(expected)} chunks of {len(chunks)} suppliers (dimension "
                f"{self.encoder.dim}): not this register's embedding; {REBUILD}"
            )
        return self._index(vectors, np.asarray(owners, dtype=np.int64))

    def _index(self, vectors: np.ndarray[Any, Any], owners: np.ndarray[Any, Any]) -> Engine:
        ids = [s.supplier.supplier_id for s in self.suppliers_]
        self.dense_ = DenseIndex(**dense_params(self.settings.index)).build(vectors, ids, owners)
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
        return embed_requirements(
            requirements, self.taxonomy, self.lexicon, self.encoder, self.settings, reporter
        )

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
                matrix = self.ranker.feature_matrix(req, self.suppliers_, candidates)
                # The requirement's signal availability rides along as constant columns, so a
                # tuner can gate weights (matcher.rank.effective_weights) or a learner use it.
                gates = availability(req)
                constant = np.array([gates[a] for a in AVAILABILITY], dtype=np.float64)
                matrix = np.hstack([matrix, np.tile(constant, (len(matrix), 1))])
                ids = [self.suppliers_[c.position].supplier.supplier_id for c in candidates]
                out.append((req.requirement.requirement_id, ids, matrix.astype(np.float32)))
                advance(1)
        return out

    def _requirement_filters(self, requirement: Requirement) -> Filters:
        return requirement_filters(requirement, self.settings.retrieve.requirement_filters)

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
        engine.dense_ = DenseIndex.load(folder, ids, dim, **dense_params(settings.index))
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


def embed_requirements(
    requirements: Sequence[Requirement],
    taxonomy: Taxonomy,
    lexicon: Lexicon | None,
    encoder: Encoder,
    settings: Settings,
    reporter: Reporter,
) -> list[tuple[NormalisedRequirement, Vectors]]:
    """Each requirement normalised, with its query vector (the engine's and the shards' way)."""
    normalised = [normalise_requirement(r, taxonomy, lexicon) for r in requirements]
    # Each distinct text once: a batch often repeats a request (one per buyer, or the same
    # line in several events).
    distinct = list(dict.fromkeys(r.text for r in normalised))
    with reporter.stage("Embedding requirements", len(distinct)) as advance:
        vectors = encoder.encode_requirements(
            distinct, batch_size=settings.embed.batch_size, progress=advance
        )
    row = {text: i for i, text in enumerate(distinct)}
    return [(r, vectors[row[r.text]]) for r in normalised]


def requirement_filters(requirement: Requirement, hard: Collection[str]) -> Filters:
    """The requirement's hard filters, for those of "certifications", "sector", "province" in
    ``hard`` (Settings.retrieve.requirement_filters)."""
    return Filters.build(
        requirement.required_certifications if "certifications" in hard else [],
        requirement.sector if "sector" in hard else [],
        [requirement.province] if requirement.province and "province" in hard else [],
    )


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


@contextmanager
def open_engine(
    settings: Settings | None = None,
    *,
    cache_path: Path | None = None,
    encoder: Encoder | None = None,
    index_root: Path | None = None,
    index_version: Path | None = None,
) -> Iterator[Engine]:
    """An Engine whose encoder reads and writes the embedding cache while the block runs.

    cache_path: the cache's SQLite file, or None for no cache. index_root / index_version: load
    the current version under a root, or one version folder (else the Engine is new: ``build`` it
    inside the block). On exit the cache is closed and the Engine keeps the bare encoder, so it
    stays usable (without the cache) after the block.
    """
    if index_root is not None and index_version is not None:
        raise ValueError("open_engine: give index_root or index_version, not both")
    cache = EmbeddingCache(cache_path) if cache_path is not None else None
    engine: Engine | None = None
    try:
        if index_root is not None:
            engine = Engine.load(index_root, settings, cache=cache)
        elif index_version is not None:
            engine = Engine.load_version(index_version, settings, cache=cache, encoder=encoder)
        else:
            engine = Engine(settings, encoder=encoder, cache=cache)
        yield engine
    finally:
        if cache is not None:
            cache.close()
            if engine is not None and isinstance(engine.encoder, CachedEncoder):
                engine.encoder = engine.encoder.inner


def cache_file(settings: Settings, path: Path | None = None) -> Path | None:
    """The embedding cache a batch job uses: ``path`` or the user's default, None when the
    settings turn caching off."""
    return (path or default_cache_path()) if settings.embed.cache else None
