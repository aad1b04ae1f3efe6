"""Match quality on the bundled sample's hand-checked labels: each encoder, each ranking signal
alone, and the default transparent ranker — recall@10, MRR@10, nDCG@10 on the same 81 queries.

Run:  .venv/bin/python benchmarks/sample_quality.py [--encoders e5,minilm,tfidf,hashing]
Embeddings are cached (MATCHER_CACHE_DIR or ~/.cache/cnht-matcher), so a second run is fast.
Caveat: the labels were pooled by lexical and taxonomy overlap (data/sample/README.md), which
favours lexical signals; the external suites (gebiz, hs-vi2en) are the fairer judges.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from matcher.config import SAMPLE_DIR, Settings
from matcher.encoders import EmbeddingCache, default_cache_path
from matcher.engine import Engine
from matcher.evaluation import evaluate, read_labels
from matcher.ingest import load_requirements, load_suppliers
from matcher.rank import FEATURES

SIGNALS = {
    "dense only": {"dense": 1.0},
    "BM25 (+ taxonomy expansion) only": {"lexical": 1.0},
    "RRF(dense, BM25) only": {"fusion": 1.0},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoders", default="e5,minilm,tfidf,hashing")
    args = parser.parse_args()
    suppliers = load_suppliers(SAMPLE_DIR / "suppliers.csv").records
    requirements = load_requirements(SAMPLE_DIR / "requirements.csv").records
    qrels = read_labels(SAMPLE_DIR / "labels.csv")
    cache = EmbeddingCache(default_cache_path())
    print(f"{len(suppliers)} suppliers, {len(qrels)} labelled requirements\n")
    print("| encoder | ranking | recall@10 | MRR@10 | nDCG@10 | seconds |")
    print("|---|---|---:|---:|---:|---:|")
    for name in args.encoders.split(","):
        settings = Settings()
        settings.embed.encoder = name
        engine = Engine(settings, cache=cache).build(suppliers)
        default = dict(engine.ranker.weights)
        for label, weights in [*SIGNALS.items(), ("default ranker", default)]:
            if name != args.encoders.split(",")[0] and label.startswith("BM25"):
                continue  # BM25 does not depend on the encoder: print it once
            engine.ranker.weights = {f: weights.get(f, 0.0) for f in FEATURES}
            start = time.perf_counter()
            run: dict[str, dict[str, float]] = {}
            for m in engine.match(requirements, 10):
                run.setdefault(m.requirement_id, {})[m.supplier_id] = m.score
            seconds = time.perf_counter() - start
            r = evaluate(qrels, run, 10)
            print(
                f"| {name} | {label} | {r['recall@10']:.3f} | {r['mrr@10']:.3f} | "
                f"{r['ndcg@10']:.3f} | {seconds:.1f} |"
            )


if __name__ == "__main__":
    main()
