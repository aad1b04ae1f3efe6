"""How fast the learned ranker recovers a hidden preference as outcomes accumulate, that pure
noise is never promoted, and what the promotion rule does on real outcomes (GeBIZ awards).

Run:  .venv/bin/python benchmarks/learning.py [--encoder hashing] [--seeds 3] [--gebiz 300]

1. Simulated (matcher/learn/simulator.py) over the sample register: for 100, 300, 1,000 and
   3,000 outcomes and each seed, the held-out nDCG@10 of the transparent scorer and of the learned
   ranker, the gain's 95 % bootstrap interval and whether the rule promotes it; then the same
   with pure-noise outcomes (never promoted, or the rule is broken).
2. GeBIZ (../shared/data/external): tenders are requirements, each award an "order" outcome on
   its award date; the other firms of the transparent top 10 count as not chosen ("declined"),
   an assumption (the agency never saw our list). Time split as for the workspace.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from datetime import UTC, datetime

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from matcher.config import Settings
from matcher.engine import Engine
from matcher.evaluation import SuiteUnavailable, load_suite
from matcher.evaluation.suites import external_dir
from matcher.learn import Outcome, TrainReport, simulate, train
from matcher.services.ranker import engine_tables

SIZES = (100, 300, 1000, 3000)
DEPTH = 30


def _row(label: str, n: int, seed: int, r: TrainReport, seconds: float) -> str:
    if r.ndcg_active is None or r.ndcg_learned is None or r.gain_ci is None:
        return f"| {label} | {n} | {seed} | – | – | – | – | no: too little data | {seconds:.1f} |"
    rel = f"{r.relative_gain:+.1%}" if r.relative_gain is not None else "–"
    low, high = r.gain_ci
    verdict = "**yes**" if r.promoted else "no"
    return (
        f"| {label} | {n} | {seed} | {r.ndcg_active:.3f} | {r.ndcg_learned:.3f} | {rel} | "
        f"[{low:+.3f}, {high:+.3f}] | {verdict} | {seconds:.1f} |"
    )


def simulated(settings: Settings, seeds: int) -> None:
    suite = load_suite("sample")
    started = time.perf_counter()
    engine = Engine(settings).build(suite.suppliers)
    tables = engine_tables(engine, suite.requirements, DEPTH)
    print(
        f"sample register: {len(suite.suppliers)} firms, {len(tables)} requirements, "
        f"features in {time.perf_counter() - started:.0f} s\n"
    )
    print(
        "| outcomes | n | seed | nDCG@10 transparent | learned | relative | gain 95% CI "
        "| promoted | s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    noise_promoted = 0
    for label, pure in (("hidden preference", False), ("pure noise", True)):
        for n in SIZES:
            for seed in range(seeds):
                t = time.perf_counter()
                sim = simulate(tables, n, seed, relevance=suite.qrels, pure_noise=pure)
                report = train(engine.ranker, sim.tables, sim.outcomes).report
                noise_promoted += pure and report.promoted
                print(_row(label, n, seed, report, time.perf_counter() - t), flush=True)
    print(f"\npure-noise runs promoted: {noise_promoted} of {len(SIZES) * seeds}")


def gebiz(settings: Settings, limit: int) -> None:
    try:
        suite = load_suite("gebiz", limit=limit)
    except SuiteUnavailable as exc:
        print(f"gebiz: {exc}")
        return
    dates: dict[str, str] = {}
    path = external_dir() / "gebiz_sg_procurement" / "gebiz_awards_joined.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            dates.setdefault(row["tender_no"], row["award_date_iso"])
    suppliers = [s for s in suite.suppliers if s.supplier_id.startswith("test:")]
    requirements = suite.part("test")
    started = time.perf_counter()
    engine = Engine(settings).build(suppliers)
    tables = engine_tables(engine, requirements, DEPTH)
    outcomes = []
    for req in requirements:
        at = datetime.fromisoformat(dates[req.requirement_id.split(":", 1)[1]]).replace(tzinfo=UTC)
        winners = suite.qrels[req.requirement_id]
        table = tables[req.requirement_id]
        shown = [table.ids[i] for i in table.transparent_order()[:10]]
        for sid in sorted(set(shown) | set(winners)):
            grade = "order" if sid in winners else "declined"
            outcomes.append(Outcome(at, req.requirement_id, sid, grade))
    report = train(engine.ranker, tables, outcomes).report
    print(
        f"\ngebiz: {len(requirements)} test tenders (awarded from 2023-04-01), "
        f"{len(suppliers)} firms, {len(outcomes)} outcomes "
        f"({sum(o.outcome == 'order' for o in outcomes)} awards) in "
        f"{time.perf_counter() - started:.0f} s"
    )
    print(f"gebiz: {report.reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default="hashing")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--gebiz", type=int, default=300, help="test tenders (0: skip)")
    args = parser.parse_args()
    settings = Settings.for_encoder(args.encoder)
    print(
        f"encoder {args.encoder}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n"
    )
    simulated(settings, args.seeds)
    if args.gebiz:
        gebiz(settings, args.gebiz)


if __name__ == "__main__":
    main()
