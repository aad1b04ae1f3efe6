"""Encoder throughput, single-query latency and end-to-end `matcher match` time on the sample.

Run:  .venv/bin/python benchmarks/encoders.py [--n 200] [--encoders e5,minilm,tfidf,hashing]
Prints one table; ratios are against the first encoder measured in the same process, because the
machine is shared and noisy (absolute numbers drift, ratios much less).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from matcher.config import SAMPLE_DIR, Settings
from matcher.encoders import Encoder, get_encoder
from matcher.ingest import load_requirements, load_suppliers
from matcher.jobs import run_match
from matcher.normalise import load_taxonomy, normalise_requirement, normalise_supplier


def sample_texts(n: int) -> tuple[list[str], list[str]]:
    taxonomy = load_taxonomy()
    suppliers = [
        normalise_supplier(s, taxonomy).text
        for s in load_suppliers(SAMPLE_DIR / "suppliers.csv").records
    ]
    queries = [
        normalise_requirement(r, taxonomy).text
        for r in load_requirements(SAMPLE_DIR / "requirements.csv").records
    ]
    profiles = (suppliers * (n // len(suppliers) + 1))[:n]
    return profiles, queries


def throughput(encoder: Encoder, texts: list[str], repeats: int) -> float:
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        encoder.encode_suppliers(texts, batch_size=32)
        rates.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(rates)


def latency_ms(encoder: Encoder, queries: list[str]) -> tuple[float, float]:
    times = []
    for q in queries:
        start = time.perf_counter()
        encoder.encode_requirements([q])
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.99 * len(times)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="profiles per throughput run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--encoders", default="e5,minilm,tfidf,hashing")
    parser.add_argument("--skip-e2e", action="store_true")
    args = parser.parse_args()

    profiles, queries = sample_texts(args.n)
    words = statistics.median(len(t.split()) for t in profiles)
    print(
        f"{len(profiles)} sample profiles (median {words:.0f} words), {len(queries)} queries, "
        f"{os.cpu_count()} CPUs\n"
    )
    rows = []
    for name in args.encoders.split(","):
        encoder = get_encoder(name)
        encoder.fit(profiles)
        encoder.encode_suppliers(profiles[:4])  # warm up: load weights, allocate
        rate = throughput(encoder, profiles, args.repeats if name != "e5" else 1)
        p50, p99 = latency_ms(encoder, queries)
        rows.append((name, encoder.model_id, rate, p50, p99))
    base = rows[0][2]
    print(
        f"| encoder | model | profiles/s (median) | × {rows[0][0]} | query p50 ms | query p99 ms |"
    )
    print("|---|---|---:|---:|---:|---:|")
    for name, model_id, rate, p50, p99 in rows:
        print(f"| {name} | {model_id} | {rate:.1f} | {rate / base:.2f} | {p50:.1f} | {p99:.1f} |")

    if args.skip_e2e:
        return
    print("\nEnd to end: matcher match on data/sample (default settings, top 10)\n")
    print("| run | seconds | ingest | index (embed) | match |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache.sqlite"
        for label in ("cold cache", "warm cache"):
            summary = run_match(
                SAMPLE_DIR / "suppliers.csv",
                SAMPLE_DIR / "requirements.csv",
                Path(tmp) / "m.csv",
                10,
                Settings(),
                cache_path=cache,
            )
            s = summary.seconds
            print(
                f"| {label} ({summary.encoder}) | {s['total']:.1f} | {s['ingest']:.2f} | "
                f"{s['index']:.1f} | {s['match']:.1f} |"
            )


if __name__ == "__main__":
    main()
