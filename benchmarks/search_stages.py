"""Where one in-process search's time goes at a large register, and what each switch of the live
index buys: BM25 in one pass or two (RetrieveSettings.lexical_two_pass_*), and the dense search
beside BM25 or after it (HybridRetriever ``overlap``).

For one register size, from benchmarks/api_search.py's work folder (the same generated register
and synthetic e5 supplier vectors; built there when missing, which takes minutes at 100k), the
script opens the live index once, memoises the requests' query vectors (real e5, query side;
index + rank alone is what is timed, as in api_search.py's in-process rows) and then, idle and
beside ``--busy`` spinning processes it starts itself:

1. times ``LiveIndex.search`` under each configuration, round-robin (one pass over the requests
   each, ``--rounds`` times) so that drift in the machine's load hits all alike; ratios against
   the first row, the index before the two-pass BM25 (one pass, sequential);
2. times each stage of the default configuration (each stage's method wrapped: ~1 µs a call);
3. measures what the two passes change against one: per BM25 field, the share of the one-pass
   top-100 list that the two-pass list keeps, and of the ten answers.

Query encoding (e5-onnx, one request at a time) is timed in the same run, for the issue's bar
"index + rank ≤ 20 % of query encoding".

    HF_HUB_OFFLINE=1 PYTHONPATH=. python benchmarks/search_stages.py --size 100000 \\
        --base 8 --workdir /tmp/fastprof/w
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import matcher.live.index as live_module
from benchmarks.api_search import SyntheticE5, base_vectors, prepare, sample_queries
from benchmarks.encoders import background, load_average
from matcher.config import Settings
from matcher.encoders import QueryEncoder, get_encoder
from matcher.live import LiveIndex
from matcher.retrieve import HybridRetriever

CONFIGS = [  # (label, two passes, overlap); the first is the ratios' reference
    ("one pass, sequential", False, False),
    ("one pass, overlap", False, True),
    ("two passes, sequential", True, False),
    ("two passes, overlap (default)", True, True),
]


def configure(retriever: HybridRetriever, commons: list[Any], two: bool, overlap: bool) -> None:
    """Switch the snapshot's fields between one and two passes, and the dense overlap."""
    fields = [retriever.lexical, retriever.translated]
    for field, common in zip(fields, commons, strict=True):
        if field is not None:
            field._common = common if two else None  # type: ignore[attr-defined]
    retriever.overlap = overlap


def p50_ms(values: list[float]) -> float:
    return float(np.median(values)) * 1000


@contextmanager
def timed(obj: Any, name: str, into: list[float]) -> Iterator[None]:
    """``obj.name`` wrapped to append each call's seconds to ``into``, for the block."""
    original = getattr(obj, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            into.append(time.perf_counter() - start)

    setattr(obj, name, wrapper)
    try:
        yield
    finally:
        if isinstance(obj, type) or obj is live_module:
            setattr(obj, name, original)
        else:
            delattr(obj, name)  # the instance attribute; the class's method shows again


def stages(live: LiveIndex, queries: list[str], rounds: int) -> list[tuple[str, float, float]]:
    """(stage, calls per search, ms per search) of the default configuration."""
    snapshot = live._snapshot
    r = snapshot.retriever
    targets: list[tuple[str, Any, str]] = [
        ("normalise the request", live_module, "normalise_requirement"),
        ("dense search (FAISS)", r.dense, "search"),
        ("BM25 first pass (both fields)", type(r.lexical), "partial_scores"),
        ("BM25 one pass (fallbacks)", type(r.lexical), "scores"),
        ("BM25 pools scored in full", HybridRetriever, "_rescored"),
        ("candidates' cosines (max-sim)", r.dense, "max_sim"),
        ("rank + explain top 10", type(snapshot.engine.ranker), "rank"),
    ]
    times: dict[str, list[float]] = defaultdict(list)
    totals: list[float] = []
    with ExitStack() as stack:
        for label, obj, name in targets:
            stack.enter_context(timed(obj, name, times[label]))
        for _ in range(rounds):
            for q in queries:
                start = time.perf_counter()
                live.search(q, 10)
                totals.append(time.perf_counter() - start)
    n = len(totals)
    rows = [(label, len(times[label]) / n, sum(times[label]) / n * 1000) for label, _, _ in targets]
    rows.append(("search, end to end (p50)", 1.0, p50_ms(totals)))
    return rows


def agreement(live: LiveIndex, queries: list[str], commons: list[Any]) -> dict[str, float]:
    """Share of the one-pass lists and answers that two passes keep (mean over the requests)."""
    snapshot = live._snapshot
    r = snapshot.retriever
    engine = snapshot.engine
    kept: dict[str, list[float]] = defaultdict(list)
    for q in queries:
        req = live_module.normalise_requirement(
            live_module.search_requirement(q, None), engine.taxonomy, engine.lexicon
        )
        fields = [("lexical", r.lexical, req.lexical_text)]
        if r.translated is not None:
            bilingual = f"{req.lexical_text} {req.translated_text}"
            fields.append(("bilingual", r.translated, bilingual))
        answers = []
        for two in (False, True):
            configure(r, commons, two, False)
            answers.append([m.supplier_id for m in live.search(q, 10)])
            for name, field, text in fields:
                kept[f"{name}:{two}"].append(r._field(field, text, 100, None)[0])  # type: ignore[arg-type]
        kept["answers"].append(len(set(answers[0]) & set(answers[1])) / 10)
    out = {"answers (top 10)": float(np.mean(kept.pop("answers")))}
    for name in ("lexical", "bilingual"):
        if f"{name}:False" in kept:
            pairs = zip(kept[f"{name}:False"], kept[f"{name}:True"], strict=True)
            shares = [len(set(a) & set(b)) / max(len(a), 1) for a, b in pairs]
            out[f"{name} top-100 list"] = float(np.mean(shares))
            out[f"{name} top-100 list, worst request"] = float(np.min(shares))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=4, help="passes over the 81 requests")
    parser.add_argument("--busy", type=int, default=2, help="background busy processes")
    parser.add_argument("--base", type=int, default=256, help="profiles embedded with real e5")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "cnht-bench-api-search"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    base = base_vectors(args.workdir, args.base)
    workspace = prepare(args.workdir, args.size)
    e5 = get_encoder("e5-onnx")
    encoder = SyntheticE5(np.load(base), e5)
    start = time.perf_counter()
    live = LiveIndex.open(workspace, Settings.for_encoder("e5-onnx"), encoder=encoder)
    print(f"{len(live):,} suppliers: index opened in {time.perf_counter() - start:.0f} s")
    live.queries = QueryEncoder(encoder, size=0, workers=1)
    queries = sample_queries()
    encoder.memo = {}
    for q in queries:
        live.search(q, 10)  # memoise the vectors, warm every memo (impacts, idf, the tables)
    r = live._snapshot.retriever
    commons = [getattr(f, "_common", None) for f in (r.lexical, r.translated)]
    if commons[0] is None:
        sys.exit(f"two passes are off at {len(live):,} suppliers (lexical_two_pass_from)")
    encode: Callable[[str], Any] = lambda q: e5.encode_requirements([q])  # noqa: E731
    for condition, spinners in (("idle", 0), ("busy", args.busy)):
        with background(spinners) if spinners else nullcontext():
            timings: dict[str, list[float]] = defaultdict(list)
            for _ in range(args.rounds):
                for label, two, overlap in CONFIGS:
                    configure(r, commons, two, overlap)
                    for q in queries:
                        t = time.perf_counter()
                        live.search(q, 10)
                        timings[label].append(time.perf_counter() - t)
                for q in queries:
                    t = time.perf_counter()
                    encode(q)
                    timings["query encoding (e5-onnx)"].append(time.perf_counter() - t)
            configure(r, commons, True, True)
            stage_rows = stages(live, queries, max(args.rounds // 2, 1))
            load = load_average()
        reference = p50_ms(timings[CONFIGS[0][0]])
        encoding = p50_ms(timings["query encoding (e5-onnx)"])
        print(f"\n{condition} (load {load}), {len(live):,} suppliers, {len(queries)} requests")
        print("| index + rank | p50 ms | p90 ms | × one pass, sequential | ÷ query encoding |")
        print("|---|---:|---:|---:|---:|")
        for label, values in timings.items():
            p50 = p50_ms(values)
            p90 = float(np.percentile(values, 90)) * 1000
            print(f"| {label} | {p50:.2f} | {p90:.2f} | {p50 / reference:.2f} | "
                  f"{p50 / encoding:.0%} |")  # fmt: skip
        print("\n| stage (default) | calls per search | ms per search |")
        print("|---|---:|---:|")
        for label, calls, ms in stage_rows:
            print(f"| {label} | {calls:.1f} | {ms:.2f} |")
    configure(r, commons, True, True)
    print("\n| two passes against one | kept |")
    print("|---|---:|")
    for label, share in agreement(live, queries, commons).items():
        print(f"| {label} | {share:.3f} |")
    live.close()


if __name__ == "__main__":
    main()
