"""Live index: the service's search index, edited in place and swapped atomically.

Design (Lucene's, in miniature). A search reads one immutable ``Snapshot``; writers build the next
snapshot beside it and publish it with a single reference assignment, so readers never take a
lock, never wait, and never see half an edit. A snapshot has two segments:

- **main**: the register as of the last full build, saved as an index version
  (matcher/artifacts.py) in the Engine's own format, so `matcher search` reads it too;
- **delta**: the suppliers added or edited since, with a small exact FAISS index of their own;

plus **tombstones**: main rows replaced or deleted since the build, masked out of every search.
An edit embeds only the edited profiles and rebuilds only the delta (its size is bounded), so it
is visible to the next search within milliseconds with the hashing encoder and one encoding with
e5. When delta + tombstones reach ``compact_above`` a background thread rebuilds the whole register
from the database (cached embeddings make that re-embed nothing), saves it as a new version and
swaps it in, replaying the edits that arrived while it ran.

Ranking equals a from-scratch build of the same register, not an approximation of it:

- dense: each segment returns its exact top-N (tombstones excluded by a FAISS selector) and the
  merge keeps the best N, which is the top-N of the union;
- lexical: BM25 depends on corpus statistics (document count, document frequencies, mean length)
  that every edit changes. Per-segment BM25 would score the delta with its own tiny IDF, and
  per-segment normalisation would still rank a rare term in a small delta above the same term in
  the main. Instead both segments keep raw term frequencies (``TermCounts``) and are scored at
  query time under the statistics of the live register (main − tombstones + delta), maintained
  incrementally: bm25s's own formula, to the same float32 values;
- ties between equal scores are broken by supplier id, as they fall in a register built from the
  database (ordered by id) at once, not by the order in which edits arrived.

Encoders fitted on the register (tfidf) cannot embed an edit without refitting everything, so the
live index refuses them; use a pretrained one (e5, minilm, hashing, a local model).
"""

from matcher.live.index import DEFAULT_COMPACT_ABOVE, IndexHealth, LiveIndex
from matcher.live.snapshot import Snapshot
from matcher.live.view import EngineView

__all__ = ["DEFAULT_COMPACT_ABOVE", "EngineView", "IndexHealth", "LiveIndex", "Snapshot"]
