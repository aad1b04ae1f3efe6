"""Tune the transparent ranker's weights on the development parts of the suites, jointly, and
compare with LambdaMART — reporting on the held-out test parts only.

Run:  .venv/bin/python benchmarks/tune_weights.py [--suites sample,gebiz,hs-vi2en] [--write]
With --write the tuned weights replace models/ranker_weights.json (only if they beat the current
ones on the test parts' mean nDCG@10). Candidate features are computed once per suite and part
(embeddings come from the cache), then every trial re-scores them in numpy.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from matcher import rank
from matcher.config import DEFAULT_WEIGHTS, Settings
from matcher.encoders import default_cache_path
from matcher.engine import Engine
from matcher.evaluation import (
    SuiteUnavailable,
    default_cache,
    engine_settings,
    evaluate,
    load_suite,
    suite_documents,
)
from matcher.learn import (
    FeatureSet,
    coordinate_ascent,
    lambdamart_run,
    mean_ndcg,
    score_run,
    train_lambdamart,
)
from matcher.rank import load_gating, load_weights


class PrintReporter:
    """Progress as log lines (every 10%), readable in a file when the run goes to background."""

    @contextmanager
    def stage(self, name: str, total: int | None) -> Iterator[Callable[[int], None]]:
        done, step, start = 0, max(1, (total or 0) // 10), time.perf_counter()
        mark = step

        def advance(n: int) -> None:
            nonlocal done, mark
            done += n
            if total and done >= mark:
                print(
                    f"    {name}: {done}/{total} ({time.perf_counter() - start:.0f}s)", flush=True
                )
                mark += step

        yield advance


def features(name: str, settings: Settings, reuse: bool) -> tuple[dict[str, list[FeatureSet]], Any]:
    suite = load_suite(name)
    settings, note = engine_settings(suite, settings)
    if note:
        print(f"  {name}: {note}")
    key = f"{name}-{settings.embed.encoder}-{settings.embed.chunk_words}"
    saved = default_cache_path().parent / f"features-{key}.pkl"
    if reuse and saved.exists():
        print(f"  {name}: features from {saved}")
        with open(saved, "rb") as handle:
            return pickle.load(handle), suite.qrels  # type: ignore[no-any-return]
    out = {}
    for part in ("dev", "test"):
        start = time.perf_counter()
        engine = Engine(settings, cache=default_cache()).build(
            suite_documents(suite, part), PrintReporter()
        )
        out[part] = engine.candidate_features(suite.part(part), depth=100, reporter=PrintReporter())
        print(
            f"  {name}/{part}: {len(out[part])} queries, {time.perf_counter() - start:.0f}s",
            flush=True,
        )
    saved.parent.mkdir(parents=True, exist_ok=True)
    with open(saved, "wb") as handle:
        pickle.dump(out, handle)
    return out, suite.qrels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suites", default="sample,gebiz,hs-vi2en")
    parser.add_argument("--encoder", default=None)
    parser.add_argument("--chunk-words", type=int, default=None)
    parser.add_argument(
        "--reuse", action="store_true", help="re-use candidate features saved by an earlier run"
    )
    parser.add_argument(
        "--targets",
        default="sample=0.85,hs-vi2en=0.62,gebiz=0.37",
        help="per-suite nDCG@10 bars the joint objective measures each suite against",
    )
    parser.add_argument("--cap", type=float, default=1.10)
    parser.add_argument(
        "--gated",
        choices=("both", "yes", "no"),
        default="both",
        help="tune with signal gating (matcher.rank.effective_weights), without, or both and "
        "keep the better on the dev parts",
    )
    parser.add_argument(
        "--tied-coverage-to",
        default=None,
        help="tune with the coverage spread gate moving tied coverage weight to this feature "
        "(e.g. fusion; matcher.rank.spread_weights)",
    )
    parser.add_argument(
        "--lexicon-reads",
        default=None,
        help="LOW:HIGH translation coverage over which the taxonomy's gate closes (default: "
        "matcher.rank.LEXICON_READS); to compare bounds on the dev parts, not written",
    )
    parser.add_argument(
        "--no-worse",
        action="store_true",
        help="refuse any trial that lowers a suite's dev nDCG@10 below the current file's",
    )
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if args.lexicon_reads:
        low, high = (float(v) for v in args.lexicon_reads.split(":"))
        rank.LEXICON_READS = (low, high)  # read by effective_weights at each call
        if args.write:
            parser.error("--lexicon-reads measures other bounds; set LEXICON_READS to write them")
    settings = Settings.for_encoder(args.encoder)
    if args.chunk_words:
        settings.embed.chunk_words = args.chunk_words
    data = {}
    for name in args.suites.split(","):
        try:
            data[name] = features(name, settings, args.reuse)
        except SuiteUnavailable as exc:
            print(f"skipped {name}: {exc}")
    qrels_all = {q: j for _, qrels in data.values() for q, j in qrels.items()}

    current = load_weights()
    current_gated = load_gating()
    spread = args.tied_coverage_to
    targets = {
        name: float(value)
        for name, value in (item.split("=") for item in args.targets.split(",") if item)
    }

    # With --no-worse, a trial that puts any suite's dev nDCG@10 below what the current file
    # gives it is refused: a gain on one suite is not bought with a loss on another.
    floors = {
        name: mean_ndcg(feats["dev"], current, qrels_all, gated=current_gated)
        for name, (feats, _) in data.items()
    }
    if args.no_worse:
        shown = {k: round(v, 4) for k, v in floors.items()}
        print(f"  dev floors (current file): {json.dumps(shown)}")

    def joint(gated: bool) -> Callable[[Mapping[str, float]], float]:
        def joint_score(weights: Mapping[str, float]) -> float:
            # Each suite counts equally, whatever its number of queries, as its dev nDCG@10 over
            # its target. Above `cap` × target a suite earns (almost) nothing more, so the search
            # stops buying a suite's surplus with another's deficit: a plain mean traded 0.08
            # nDCG on the sample for 0.03 on hs-vi2en, which already cleared its bar.
            dev = {
                name: mean_ndcg(
                    feats["dev"], weights, qrels_all, gated=gated, tied_coverage_to=spread
                )
                for name, (feats, _) in data.items()
            }
            if args.no_worse and any(dev[n] < floors[n] - 1e-9 for n in dev):
                return -1.0
            ratios = [dev[name] / targets.get(name, 1.0) for name in dev]
            return sum(min(r, args.cap) + 0.01 * r for r in ratios) / len(ratios)

        return joint_score

    # Two starts (the current file, and the four retrieval signals equal), with and without
    # gating: keep the best on the dev parts.
    uniform = {
        f: 1.0 if f in ("dense", "lexical", "translated", "taxonomy") else 0.0 for f in current
    }
    modes = {"both": (False, True), "yes": (True,), "no": (False,)}[args.gated]
    trials = []
    for gated in modes:
        for start in (current, uniform):
            weights, score = coordinate_ascent(
                [], qrels_all, start, passes=4, objective=joint(gated)
            )
            origin = "file" if start is current else "uniform"
            print(f"  dev joint {score:.4f} (gated={gated}, start={origin})")
            trials.append((score, gated, weights))
    best, tuned_gated, tuned = max(trials, key=lambda t: t[0])
    print(
        f"\njoint dev nDCG@10: current {joint(current_gated)(current):.4f}, "
        f"tuned {best:.4f} (gated={tuned_gated})"
    )
    print("\n| suite | ranker | recall@10 | MRR@10 | nDCG@10 (test) |")
    print("|---|---|---:|---:|---:|")
    test_means = {"current": [], "tuned": [], "lambdamart": []}
    singles = ("dense", "lexical", "translated", "fusion", "taxonomy")
    for name, (feats, qrels) in data.items():
        model = train_lambdamart(feats["dev"], qrels)
        labelled = {q: qrels[q] for q, _, _ in feats["test"] if qrels.get(q)}
        for label, run in (
            ("current", score_run(feats["test"], current, gated=current_gated)),
            ("tuned", score_run(feats["test"], tuned, gated=tuned_gated, tied_coverage_to=spread)),
            ("lambdamart", lambdamart_run(model, feats["test"])),
            *((f"{signal} alone", score_run(feats["test"], {signal: 1.0})) for signal in singles),
        ):
            r = evaluate(labelled, run, 10)
            test_means.setdefault(label, []).append(r["ndcg@10"])
            print(
                f"| {name} | {label} | {r['recall@10']:.3f} | {r['mrr@10']:.3f} | "
                f"{r['ndcg@10']:.3f} |"
            )
    print("\nAblation of the tuned weights on the test parts (nDCG@10 with one weight set to 0):")
    print("| weight set to 0 | " + " | ".join(data) + " |")
    print("|---|" + "---:|" * len(data))
    for feature in ["none", *(f for f, v in tuned.items() if v > 0)]:
        cells = []
        for feats, qrels in data.values():
            labelled = {q: qrels[q] for q, _, _ in feats["test"] if qrels.get(q)}
            weights = {**tuned, feature: 0.0} if feature != "none" else tuned
            run = score_run(feats["test"], weights, gated=tuned_gated, tied_coverage_to=spread)
            cells.append(f"{evaluate(labelled, run, 10)['ndcg@10']:.3f}")
        print(f"| {feature} | " + " | ".join(cells) + " |")
    means = {k: sum(v) / len(v) for k, v in test_means.items()}
    print(f"\nmean test nDCG@10: {json.dumps({k: round(v, 4) for k, v in means.items()})}")
    print(f"tuned weights (gated={tuned_gated}): {json.dumps(tuned)}")
    print(f"taxonomy gate closes over translation coverage {rank.LEXICON_READS}")
    if args.write and means["tuned"] > means["current"]:
        payload = json.loads(DEFAULT_WEIGHTS.read_text())
        payload["weights"] = tuned
        payload["gated"] = tuned_gated
        payload["tied_coverage_to"] = spread
        DEFAULT_WEIGHTS.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {DEFAULT_WEIGHTS}")


if __name__ == "__main__":
    main()
