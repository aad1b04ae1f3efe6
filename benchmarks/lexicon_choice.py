"""Which lexicon should ship? The engine on the suites a shipped lexicon does not leak into, with
the shipped lexicon (every nomenclature chapter), a clean one (the supporting-industry chapters
that the hs-* suites evaluate left out), the taxonomy alone, and none.

Run:  .venv/bin/python benchmarks/lexicon_choice.py [--suites sample,sample-messy] [--part all]
      .venv/bin/python benchmarks/lexicon_choice.py --chapter-folds

The hs-* suites cannot answer this question directly (their lines are the nomenclature itself: a
lexicon learnt from their chapters has seen the answers), so they are always run with the clean
lexicon (matcher.evaluation.engine_settings). `--chapter-folds` asks it indirectly and without a
leak: the supporting-industry chapters are split in two folds; the queries of one fold are
answered with a lexicon that leaves out every supporting-industry chapter, and with one that
learns the other fold's chapters too. If in-domain chapters help held-out in-domain chapters,
shipping all of them helps users, whose words are those chapters'. Embeddings come from the cache.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from matcher.config import Settings
from matcher.evaluation import (
    HS_CHAPTERS,
    clean_nomenclature_lexicon,
    default_cache,
    evaluate,
    evaluate_suite,
    load_suite,
)


def chapter_folds(base: Settings) -> None:
    """Does learning some supporting-industry chapters help the others? (see the docstring)"""
    from matcher.engine import Engine

    suite = load_suite("hs-vi2en")
    folds = (HS_CHAPTERS[:6], HS_CHAPTERS[6:])
    print("| held-out chapters | queries | lexicon | recall@10 | MRR@10 | nDCG@10 |")
    print("|---|---:|---|---:|---:|---:|")
    for held_out, other in (folds, folds[::-1]):
        queries = [r for r in suite.requirements if r.requirement_id[1:3] in held_out]
        qrels = {q.requirement_id: suite.qrels[q.requirement_id] for q in queries}
        for label, excluded in (
            ("no supporting-industry chapter", HS_CHAPTERS),
            (f"+ chapters {', '.join(other)}", held_out),
        ):
            settings = base.model_copy(deep=True)
            settings.normalise.lexicon = clean_nomenclature_lexicon(
                base.normalise.taxonomy, excluded
            )
            engine = Engine(settings, cache=default_cache()).build(suite.suppliers)
            run: dict[str, dict[str, float]] = {}
            for m in engine.match(queries, 10):
                run.setdefault(m.requirement_id, {})[m.supplier_id] = m.score
            r = evaluate(qrels, run, 10)
            print(
                f"| {', '.join(held_out)} | {len(queries)} | {label} | {r['recall@10']:.3f} | "
                f"{r['mrr@10']:.3f} | {r['ndcg@10']:.3f} |",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suites", default="sample,sample-messy")
    parser.add_argument("--part", default="all", choices=("dev", "test", "all"))
    parser.add_argument("--encoder", default=None)
    parser.add_argument("--chapter-folds", action="store_true")
    args = parser.parse_args()
    base = Settings.for_encoder(args.encoder)
    if args.chapter_folds:
        chapter_folds(base)
        return
    clean = clean_nomenclature_lexicon(base.normalise.taxonomy)
    choices: dict[str, str | Path] = {
        "shipped (all chapters)": "shipped",
        "clean (SI chapters left out)": clean,
        "taxonomy only": "taxonomy",
        "off": "off",
    }
    print(f"encoder {base.embed.encoder}, part {args.part}\n")
    print("| suite | lexicon | recall@10 | MRR@10 | nDCG@10 | s |")
    print("|---|---|---:|---:|---:|---:|")
    for suite in args.suites.split(","):
        for label, choice in choices.items():
            settings = base.model_copy(deep=True)
            settings.normalise.lexicon = choice  # type: ignore[assignment]
            start = time.perf_counter()
            rows = evaluate_suite(suite, ["engine"], args.part, settings)  # type: ignore[arg-type]
            row = next(r for r in rows if r["slice"] == "all")
            print(
                f"| {suite} | {label} | {row['recall@10']:.3f} | {row['mrr@10']:.3f} | "
                f"{row['ndcg@10']:.3f} | {time.perf_counter() - start:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
