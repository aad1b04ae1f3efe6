"""Evaluation: how well matches agree with graded relevance labels, on labelled suites.

The package owns the metrics (pure functions over labels and runs; metrics), the labelled suites
built from the sample and from public data (suites), the simple methods the engine is compared
with (baselines), and the runner that puts every method through a suite (runner). Only the runner
uses the engine; metrics and suites import nothing of it.
"""

from matcher.evaluation.baselines import BASELINES, cached_encoder, default_cache
from matcher.evaluation.metrics import (
    Qrels,
    RunDict,
    evaluate,
    evaluate_file,
    evaluate_per_query,
    paired_randomisation,
    read_labels,
    read_run,
)
from matcher.evaluation.runner import (
    METHODS,
    SIGNAL_METHODS,
    SIGNALS,
    clean_nomenclature_lexicon,
    engine_settings,
    evaluate_suite,
    suite_documents,
    suite_runs,
)
from matcher.evaluation.suites import (
    HS_CHAPTERS,
    MESSY_DIR,
    SUITES,
    Suite,
    SuiteName,
    SuiteUnavailable,
    external_dir,
    load_suite,
)

__all__ = [
    "BASELINES",
    "HS_CHAPTERS",
    "MESSY_DIR",
    "METHODS",
    "SIGNALS",
    "SIGNAL_METHODS",
    "SUITES",
    "Qrels",
    "RunDict",
    "Suite",
    "SuiteName",
    "SuiteUnavailable",
    "cached_encoder",
    "clean_nomenclature_lexicon",
    "default_cache",
    "engine_settings",
    "evaluate",
    "evaluate_file",
    "evaluate_per_query",
    "evaluate_suite",
    "external_dir",
    "load_suite",
    "paired_randomisation",
    "read_labels",
    "read_run",
    "suite_documents",
    "suite_runs",
]
