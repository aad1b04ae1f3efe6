"""Beyond one machine: a supplier register in shards on Ray, matched as one process would.

shard (one shard's suppliers, FAISS index and raw BM25 counts, saved as a checksummed artifact)
→ scatter (the driver: global BM25 statistics, the scatter of a requirement batch, the exact
merge of top lists, the ranker over the merged candidates) → cluster (Ray: the Ray Data build
with a pool of encoder actors, one actor per shard, retries of dead workers). See docs/scale.md.
"""

from matcher.distributed.cluster import RayOptions, build, connect, match_on_ray, read_set, serve
from matcher.distributed.scatter import LocalShards, Scatter, merge
from matcher.distributed.shard import GlobalStats, Hits, Query, Shard

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
    "match_on_ray",
    "merge",
    "read_set",
    "serve",
]
