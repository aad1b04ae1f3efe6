"""Beyond one machine: a supplier register in shards on Ray, matched as one process would.

shard (one shard's suppliers, FAISS index and raw BM25 counts, saved as a checksummed artifact)
→ scatter (the driver: global BM25 statistics, the scatter of a requirement batch, the exact
merge of top lists, the ranker over the merged candidates) → cluster (Ray: the Ray Data build
with a pool of encoder actors, one actor per shard, retries of dead workers) → workspace (a
workspace's index embedded on Ray, merged into the one index it searches). See docs/scale.md.
"""

from matcher.distributed.cluster import RayOptions, build, connect, match_on_ray, read_set, serve
from matcher.distributed.scatter import LocalShards, Scatter, merge
from matcher.distributed.shard import GlobalStats, Hits, Query, Shard
from matcher.distributed.workspace import index_on_ray, merged_vectors

__all__ = [
    "GlobalStats",
    "Hits",
    "LocalShards",
    "Query",
    "RayOptions",
    "Scatter",
    "Shard",
    "build",
    "connect",
    "index_on_ray",
    "match_on_ray",
    "merge",
    "merged_vectors",
    "read_set",
    "serve",
]
