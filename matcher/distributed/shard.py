"""One shard of a sharded register: its suppliers, a FAISS index and raw BM25 term counts.

A shard holds a set of the register's suppliers (their global positions, ascending) and answers
a batch of requirements with its own top lists. Nothing here imports Ray: a shard is a plain
object that a Ray actor (matcher/distributed/cluster.py) wraps, and that tests can drive in one
process.

BM25 cannot be scored per shard under the shard's own statistics: IDF and the mean document
length are the whole register's in one process. So a shard keeps raw term frequencies
(matcher.lexical.TermCounts, as the live index does) and is scored under the global statistics
that the caller sums from every shard's document frequencies (``GlobalStats``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.artifacts import REBUILD, read_manifest, write_version
from matcher.config import DEFAULT_LEXICON, Settings
from matcher.errors import IndexArtifactError
from matcher.index import DenseIndex, Mask, dense_params
from matcher.lexical import TermCounts, bm25_idf, tokenize
from matcher.lexicon import Lexicon, learn_lexicon, load_lexicon, taxonomy_pairs
from matcher.normalise import NormalisedSupplier, Taxonomy
from matcher.retrieve import FilterMasks, Filters
from matcher.schemas import Supplier

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float32]

# The normalised profiles, one JSON line each: a shard actor that (re)starts reads them instead of
# normalising its suppliers again (what matcher.engine's index re-derives at every load); the
# manifest records the normaliser's settings, and a shard is refused under other ones.
PROFILES_FILE = "profiles.jsonl"
POSITIONS_FILE = "positions.npy"
FIELDS = ("lexical", "translated")  # the two BM25 fields, as in matcher.engine
_PARTS = ("lengths", "docs", "tf", "indptr")


def field_files(name: str) -> tuple[str, ...]:
    return (f"{name}.vocab.json", *(f"{name}.{part}.npy" for part in _PARTS))


def lexicon_for(settings: Settings, taxonomy: Taxonomy) -> Lexicon | None:
    """The lexicon the settings choose, as Engine picks it (matcher/engine.py, Engine._lexicon):
    a shard needs the normaliser's context but not the Engine's encoder."""
    choice = settings.normalise.lexicon
    if choice == "off":
        return None
    if choice == "taxonomy":
        return learn_lexicon(taxonomy_pairs(taxonomy))
    return load_lexicon(DEFAULT_LEXICON if choice == "shipped" else Path(choice))


def field_tokens(supplier: NormalisedSupplier, name: str) -> list[str]:
    """What each BM25 field indexes for a supplier: the texts Engine gives LexicalIndex."""
    if name == "lexical":
        return tokenize(supplier.lexical_text)
    return tokenize(f"{supplier.text} {supplier.translated_text}")


@dataclass(frozen=True)
class GlobalStats:
    """The whole register's BM25 statistics for one batch's query terms, per field."""

    n_docs: int
    idf: dict[str, dict[str, np.float32]]  # field → term → idf (terms with df > 0 only)
    avg_length: dict[str, float]  # field → mean document length (integer sum ÷ n, as bm25s)

    @classmethod
    def from_shards(
        cls,
        n_docs: int,
        lengths: dict[str, int],
        terms: dict[str, list[str]],
        freqs: Sequence[dict[str, Ints]],
    ) -> GlobalStats:
        """Sum each shard's document frequencies of the batch's ``terms`` (field → term list)."""
        idf: dict[str, dict[str, np.float32]] = {}
        for name, words in terms.items():
            df = np.sum([f[name] for f in freqs], axis=0) if freqs else np.zeros(len(words))
            idf[name] = {
                w: bm25_idf(int(d), n_docs) for w, d in zip(words, df.tolist(), strict=True) if d
            }
        avg = {name: lengths[name] / n_docs for name in lengths}
        return cls(n_docs, idf, avg)


@dataclass(frozen=True)
class Query:
    """One requirement as the shards see it."""

    vector: Floats
    tokens: dict[str, list[str]]  # field → query tokens (a field absent: not searched)
    filters: Filters


@dataclass
class Hits:
    """One shard's answer to one query: its top lists (global positions, best first, ties to the
    lower position) and, for every position in any of them, the values a candidate carries."""

    lists: dict[str, tuple[Floats, Ints]]  # "dense" and each searched field → (scores, positions)
    positions: Ints  # every listed position once
    cosine: Floats  # max-sim over the supplier's chunks
    lexical: Floats  # raw BM25 of each field (0 where the field was not searched)
    translated: Floats


# FAISS's flat scan scores rows four at a time from the start of an index and the rest one by one,
# and the two kernels can differ in the last bit for the same row: a shard that starts or ends
# off that grid scores its rows with other bits than one process does, and exact ties (identical
# profiles) then fall differently. Shards are therefore cut where the rows before are a multiple
# of ALIGN.
ALIGN = 16


def aligned_cuts(rows: Sequence[int] | npt.NDArray[np.int64], shards: int) -> list[int]:
    """Supplier indices that cut a register (``rows[i]``: supplier i's vector rows) into
    ``shards`` runs of about equal size, each cut where the rows before it are a multiple of
    ALIGN (the nearest such supplier boundary to an even cut; the even cut when there is none).
    Returns shards + 1 bounds from 0 to len(rows)."""
    n = len(rows)
    ends = np.concatenate([[0], np.cumsum(np.asarray(rows, dtype=np.int64))])
    aligned = np.flatnonzero(ends % ALIGN == 0)  # supplier boundaries on the grid
    bounds = [0]
    for target in np.linspace(0, n, shards + 1)[1:-1]:
        pick = int(np.rint(target))
        if len(aligned):
            near = aligned[np.argmin(np.abs(aligned - target))]
            pick = int(near) if abs(int(near) - target) <= n / (2 * shards) else pick
        bounds.append(min(max(pick, bounds[-1] + 1), n - (shards - len(bounds))))
    return [*bounds, n]


def top_positive(scores: npt.NDArray[np.floating[Any]], k: int) -> Ints:
    """Positions of the k best positive scores, ties to the lower position (as
    matcher.retrieve's lists)."""
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > k:
        kth = np.partition(scores[candidates], len(candidates) - k)[len(candidates) - k]
        candidates = candidates[scores[candidates] >= kth]
    return candidates[np.argsort(-scores[candidates], kind="stable")][:k].astype(np.int64)


def summed_lengths(metas: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The register's token count per field from each shard's: BM25's mean length is global."""
    lengths: dict[str, int] = {}
    for meta in metas:
        for name, total in meta["lengths"].items():
            lengths[name] = lengths.get(name, 0) + int(total)
    return lengths


class Shard:
    """A shard's suppliers and indexes; ``positions[i]`` is local supplier i's global position."""

    def __init__(
        self,
        positions: Ints,
        suppliers: list[NormalisedSupplier],
        dense: DenseIndex,
        fields: dict[str, TermCounts],
        meta: dict[str, Any],
    ) -> None:
        self.positions = positions
        self.suppliers = suppliers
        self.dense = dense
        self.fields = fields
        self.meta = meta
        self.masks = FilterMasks(suppliers)

    # -- build, save, load ---------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        positions: Ints,
        suppliers: list[NormalisedSupplier],
        vectors: Floats,
        owners: Ints,
        settings: Settings,
        bilingual: bool,
        meta: dict[str, Any],
    ) -> Shard:
        if len(positions) != len(suppliers) or np.any(np.diff(positions) <= 0):
            raise ValueError("a shard's positions must ascend, one per supplier")
        ids = [s.supplier.supplier_id for s in suppliers]
        dense = DenseIndex(**dense_params(settings.index)).build(vectors, ids, owners)
        names = FIELDS if bilingual else FIELDS[:1]
        fields = {n: TermCounts([field_tokens(s, n) for s in suppliers]) for n in names}
        meta = {
            **meta,
            "normaliser": normaliser(settings),
            "bilingual": bilingual,
            "count": len(suppliers),
            "dim": int(vectors.shape[1]),
            "dense_kind": dense.kind,
            "lengths": {n: int(f.lengths.sum()) for n, f in fields.items()},
        }
        return cls(positions, suppliers, dense, fields, meta)

    def save(self, root: Path) -> Path:
        """A new checksummed version under ``root`` (matcher/artifacts.py)."""

        def fill(folder: Path) -> None:
            self.dense.save(folder)
            np.save(folder / POSITIONS_FILE, self.positions)
            for name, counts in self.fields.items():
                vocab, lengths, docs, tf, indptr = field_files(name)
                terms = sorted(counts.vocab, key=counts.vocab.__getitem__)
                (folder / vocab).write_text(json.dumps(terms, ensure_ascii=False))
                for file, array in zip(
                    (lengths, docs, tf, indptr),
                    (counts.lengths, counts.docs, counts.tf, counts.indptr),
                    strict=True,
                ):
                    np.save(folder / file, array)
            with open(folder / PROFILES_FILE, "w", encoding="utf-8") as handle:
                for s in self.suppliers:
                    handle.write(profile_line(s) + "\n")

        return write_version(root, fill, self.meta)

    @classmethod
    def load(cls, folder: Path, settings: Settings) -> Shard:
        """Load a version ``save`` wrote; every file checked against the manifest first."""
        manifest = read_manifest(folder)
        bilingual = bool(manifest.get("bilingual"))
        names = FIELDS if bilingual else FIELDS[:1]
        required = [*DenseIndex.FILES, POSITIONS_FILE, PROFILES_FILE]
        required += [f for n in names for f in field_files(n)]
        manifest = read_manifest(folder, required=required)
        count, dim = manifest.get("count"), manifest.get("dim")
        if not isinstance(count, int) or not isinstance(dim, int):
            raise IndexArtifactError(f"{folder}/manifest.json: no count or dim; {REBUILD}")
        if manifest.get("normaliser") != normaliser(settings):
            raise IndexArtifactError(
                f"{folder}/manifest.json: normalised with {manifest.get('normaliser')}, the "
                f"settings say {normaliser(settings)}; {REBUILD}"
            )
        normalised = read_profiles(folder / PROFILES_FILE, count)
        ids = [s.supplier.supplier_id for s in normalised]
        dense = DenseIndex.load(folder, ids, dim, **dense_params(settings.index))
        positions = _array(folder / POSITIONS_FILE, np.int64, (count,))
        if np.any(np.diff(positions) <= 0):
            raise IndexArtifactError(f"{folder / POSITIONS_FILE}: positions do not ascend")
        fields = {n: _load_counts(folder, n, count) for n in names}
        return cls(positions, normalised, dense, fields, manifest)

    # -- queries -------------------------------------------------------------------------------
    def doc_freqs(self, terms: dict[str, list[str]]) -> dict[str, Ints]:
        """This shard's document frequency of each term, per field."""
        out: dict[str, Ints] = {}
        for name, words in terms.items():
            counts = self.fields.get(name)
            out[name] = np.array(
                [counts.doc_freq(w) if counts is not None else 0 for w in words], dtype=np.int64
            )
        return out

    def search(self, queries: Sequence[Query], stats: GlobalStats, depth: int) -> list[Hits]:
        """Each query's dense and BM25 top-``depth`` lists, hard filters applied in both."""
        return [self._search(q, stats, depth) for q in queries]

    def _search(self, query: Query, stats: GlobalStats, depth: int) -> Hits:
        if not self.suppliers:
            return _no_hits()
        allowed: Mask | None = self.masks.allowed(query.filters)
        lists: dict[str, tuple[Floats, Ints]] = {}
        scores, local = self.dense.search(query.vector.reshape(1, -1), depth, allowed)
        keep = local[0] >= 0
        lists["dense"] = (scores[0][keep], local[0][keep])
        raw: dict[str, Floats] = {}
        for name, tokens in query.tokens.items():
            counts = self.fields.get(name)
            if counts is None:
                continue
            values = counts.scores(tokens, stats.idf[name], stats.avg_length[name])
            if allowed is not None:
                values = np.where(allowed, values, 0.0).astype(np.float32)
            raw[name] = values
            top = top_positive(values, depth)
            lists[name] = (values[top], top)
        union = np.unique(np.concatenate([p for _, p in lists.values()])).astype(np.int64)
        cosine = self.dense.max_sim(query.vector, union)
        zeros = np.zeros(len(union), dtype=np.float32)
        return Hits(
            lists={k: (s, self.positions[p]) for k, (s, p) in lists.items()},
            positions=self.positions[union],
            cosine=cosine,
            lexical=raw["lexical"][union] if "lexical" in raw else zeros,
            translated=raw["translated"][union] if "translated" in raw else zeros,
        )

    def counts(self, filters: Filters) -> dict[str, int]:
        """How many of this shard's suppliers pass each filter on its own (FilterMasks.counts)."""
        return self.masks.counts(filters)

    def profiles(self, positions: Ints) -> list[NormalisedSupplier]:
        """The normalised profiles at these global positions (all must be this shard's)."""
        local = np.searchsorted(self.positions, positions)
        if len(positions) and (
            local.max() >= len(self.positions) or np.any(self.positions[local] != positions)
        ):
            raise KeyError("a position that is not this shard's")
        return [self.suppliers[i] for i in local.tolist()]


def _no_hits() -> Hits:
    empty_f, empty_i = np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
    return Hits({"dense": (empty_f, empty_i)}, empty_i, empty_f, empty_f, empty_f)


def normaliser(settings: Settings) -> dict[str, str]:
    """What a shard's profiles were normalised under (recorded, and checked at load)."""
    return {k: str(v) for k, v in settings.normalise.model_dump().items()}


def profile_line(profile: NormalisedSupplier) -> str:
    """One normalised profile as a JSON line: the supplier record, sets as sorted lists."""
    out: dict[str, Any] = {}
    for field in dataclasses.fields(profile):
        value = getattr(profile, field.name)
        if isinstance(value, Supplier):
            out[field.name] = value.model_dump(mode="json")
        elif isinstance(value, frozenset):
            out[field.name] = sorted(value)
        elif isinstance(value, str):
            out[field.name] = value
        else:  # a new kind of field: written only once it is read back alike
            raise TypeError(f"NormalisedSupplier.{field.name}: no JSON form for {type(value)}")
    return json.dumps(out, ensure_ascii=False)


_SETS = {f.name for f in dataclasses.fields(NormalisedSupplier) if "frozenset" in str(f.type)}


def read_profiles(path: Path, count: int) -> list[NormalisedSupplier]:
    """The profiles ``profile_line`` wrote, ``count`` of them."""
    profiles: list[NormalisedSupplier] = []
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                row = json.loads(line)
                row["supplier"] = Supplier.model_validate(row["supplier"])
                for name in _SETS:
                    row[name] = frozenset(row[name])
                profiles.append(NormalisedSupplier(**row))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise IndexArtifactError(f"{path}: unreadable ({exc}); {REBUILD}") from None
    if len(profiles) != count:
        raise IndexArtifactError(f"{path}: {len(profiles)} profiles, the manifest says {count}")
    return profiles


def _array(path: Path, dtype: type[np.generic], shape: tuple[int, ...] | None) -> Any:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise IndexArtifactError(f"{path}: not a plain .npy array ({exc}); {REBUILD}") from None
    if array.dtype != dtype or (shape is not None and array.shape != shape) or array.ndim != 1:
        raise IndexArtifactError(
            f"{path}: holds {array.dtype} {array.shape}, expected {np.dtype(dtype)} "
            f"{shape or '(n,)'}; {REBUILD}"
        )
    return array


def _load_counts(folder: Path, name: str, count: int) -> TermCounts:
    """TermCounts from the arrays ``Shard.save`` wrote, checked for consistency."""
    vocab_file, lengths_file, docs_file, tf_file, indptr_file = field_files(name)
    try:
        terms = json.loads((folder / vocab_file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexArtifactError(
            f"{folder / vocab_file}: not valid JSON ({exc}); {REBUILD}"
        ) from None
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise IndexArtifactError(f"{folder / vocab_file}: not a list of terms; {REBUILD}")
    lengths = _array(folder / lengths_file, np.int64, (count,))
    indptr = _array(folder / indptr_file, np.int64, (len(terms) + 1,))
    docs = _array(folder / docs_file, np.int64, None)
    tf = _array(folder / tf_file, np.float32, (len(docs),))
    if (
        indptr[0] != 0
        or indptr[-1] != len(docs)
        or np.any(np.diff(indptr) < 0)
        or (len(docs) and (docs.min() < 0 or docs.max() >= count))
    ):
        raise IndexArtifactError(f"{folder / indptr_file}: postings are inconsistent; {REBUILD}")
    # TermCounts has no loader of its own (matcher/live/ rebuilds it from profiles): the arrays
    # are set as its constructor would have computed them.
    counts = TermCounts.__new__(TermCounts)
    counts.vocab = {t: i for i, t in enumerate(terms)}
    counts.lengths, counts.docs, counts.tf, counts.indptr = lengths, docs, tf, indptr
    counts.df = np.diff(indptr)
    return counts
