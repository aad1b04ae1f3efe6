"""Labelled evaluation suites built from real public data (../shared/data/external) and the sample.

Each suite is a set of documents (suppliers), queries (requirements) and graded relevance, split
into a development part (for tuning) and a held-out test part (for reporting). Nothing is copied
into the repository: the suites are read from the external folder at run time. `sample` and
`sample-messy` (the same firms as a real-looking XLSX register) ship with the project.
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from matcher.config import SAMPLE_DIR
from matcher.errors import ConfigError
from matcher.evaluation.metrics import read_labels
from matcher.schemas import Requirement, Supplier

SUITES = ("gebiz", "hs-vi2en", "hs-en2vi", "sample", "sample-messy")
SuiteName = Literal["gebiz", "hs-vi2en", "hs-en2vi", "sample", "sample-messy"]
# The sample register rewritten as real registers arrive (data/make_messy.py).
MESSY_DIR = SAMPLE_DIR / "messy"
GEBIZ_CUTOFF = "2023-04-01"
GEBIZ_DEV_CUTOFF = "2022-04-01"
HS_CHAPTERS = ("39", "40", "48", "73", "74", "76", "84", "85", "87", "90", "96")
GOODS_WORDS = (
    "supply",
    "supplies",
    "equipment",
    "fabricat",
    "steel",
    "cable",
    "parts",
    "spare",
    "machine",
    "component",
    "material",
    "hardware",
    "furniture",
    "printer",
    "vehicle",
)


def external_dir() -> Path:
    """$MATCHER_EXTERNAL_DATA, else ../shared/data/external beside the checkout.

    Evaluation only: the suites are built from public data that never ships; the engine itself
    reads nothing outside its package (matcher/resources.py).
    """
    env = os.environ.get("MATCHER_EXTERNAL_DATA")
    checkout = Path(__file__).resolve().parents[2]
    return Path(env) if env else checkout.parent / "shared" / "data" / "external"


class SuiteUnavailable(ConfigError):
    """The suite's source data is not on this machine."""


@dataclass
class Suite:
    """Documents are suppliers, queries are requirements; qrels grade 1 (partial) or 2 (exact)."""

    name: str
    suppliers: list[Supplier]
    requirements: list[Requirement]
    qrels: dict[str, dict[str, int]]
    split: dict[str, Literal["dev", "test"]]  # requirement id → part
    slices: dict[str, set[str]] = field(default_factory=dict)  # named subsets of test queries
    # Per-supplier chunks (e.g. one past tender each) for max-sim over chunks.
    chunks: dict[str, list[str]] = field(default_factory=dict)

    def part(self, part: Literal["dev", "test", "all"]) -> list[Requirement]:
        if part == "all":
            return list(self.requirements)
        return [r for r in self.requirements if self.split[r.requirement_id] == part]


def _stable_part(key: str, test_share: float = 0.5) -> Literal["dev", "test"]:
    digest = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if digest < test_share else "dev"


def load_suite(name: str, root: Path | None = None, *, limit: int | None = None) -> Suite:
    """Build a suite by name; raise SuiteUnavailable (a clear message) when its data is absent."""
    if name not in SUITES:
        raise ConfigError(f"unknown suite {name!r}: use one of {', '.join(SUITES)}")
    if name == "sample":
        return _sample_suite()
    if name == "sample-messy":
        return _sample_messy_suite()
    root = root or external_dir()
    if name == "gebiz":
        return _gebiz_suite(root, limit=limit)
    return _hs_suite(root, reverse=name == "hs-en2vi", limit=limit or 1000)


def _require(path: Path) -> Path:
    if not path.exists():
        raise SuiteUnavailable(
            f"{path} not found: the suite needs ../shared/data/external (or set "
            "MATCHER_EXTERNAL_DATA); skipping it"
        )
    return path


def _sample_suite() -> Suite:
    from matcher.ingest import load_requirements, load_suppliers

    suppliers = load_suppliers(SAMPLE_DIR / "suppliers.csv").records
    requirements = load_requirements(SAMPLE_DIR / "requirements.csv").records
    qrels = read_labels(SAMPLE_DIR / "labels.csv")
    split = {r.requirement_id: _stable_part(r.requirement_id) for r in requirements}
    return Suite("sample", suppliers, requirements, qrels, split)


def _sample_messy_suite() -> Suite:
    """The sample's firms read from the messy XLSX register, with the sample's requests and labels.

    The register has no supplier-id column, so its ids are whatever the reader derives from the
    tax code; each label is carried over from the sample id to the messy id through the tax code
    (every sample firm has a distinct one). The dev/test split is the sample's.
    """
    from matcher.ingest import load_suppliers

    sample = _sample_suite()
    suppliers = load_suppliers(MESSY_DIR / "suppliers.xlsx").records
    messy_id = {s.tax_code: s.supplier_id for s in suppliers if s.tax_code is not None}
    remap: dict[str, str] = {}
    for firm in sample.suppliers:
        tax = firm.tax_code or ""
        if tax not in messy_id:
            raise ConfigError(
                f"{MESSY_DIR / 'suppliers.xlsx'}: no firm with tax code {tax or '(none)'} "
                f"(sample {firm.supplier_id}); regenerate it with data/make_messy.py"
            )
        remap[firm.supplier_id] = messy_id[tax]
    qrels = {
        rid: {remap[sid]: grade for sid, grade in judged.items()}
        for rid, judged in sample.qrels.items()
    }
    return Suite("sample-messy", suppliers, sample.requirements, qrels, dict(sample.split))


def _gebiz_suite(root: Path, limit: int | None) -> Suite:
    """Tenders → the suppliers that won them, split in time.

    Profiles are built from tenders awarded before the cut-off; queries are tenders awarded on or
    after it whose winners have a profile. The development part (for tuning) repeats the same
    construction one year earlier (profiles before 2022-04-01, queries 2022-04-01 … 2023-03-31),
    so tuning never sees a test query or a test-period award.
    """
    path = _require(root / "gebiz_sg_procurement" / "gebiz_awards_joined.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_tender: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_tender[row["tender_no"]].append(row)

    def profiles(before: str) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
        texts: dict[str, list[str]] = defaultdict(list)
        agencies: dict[str, set[str]] = defaultdict(set)
        for tender_rows in by_tender.values():
            first = tender_rows[0]
            if first["award_date_iso"] < before:
                for row in tender_rows:
                    texts[row["supplier_name"]].append(first["tender_description_orig"])
                    agencies[row["supplier_name"]].add(first["agency"])
        return texts, agencies

    def queries(
        start: str, end: str, known: set[str]
    ) -> dict[str, tuple[dict[str, str], set[str]]]:
        out = {}
        for tender, tender_rows in by_tender.items():
            first = tender_rows[0]
            if start <= first["award_date_iso"] < end:
                winners = {r["supplier_name"] for r in tender_rows} & known
                if winners:
                    out[tender] = (first, winners)
        return out

    # One document set per part would double the index; the test part's profiles (before
    # 2023-04-01) are a superset in time of the dev part's, so dev queries are answered against
    # profiles restricted to awards before 2022-04-01 by building them separately below.
    test_texts, test_agencies = profiles(GEBIZ_CUTOFF)
    test_q = queries(GEBIZ_CUTOFF, "9999", set(test_texts))
    dev_texts, dev_agencies = profiles(GEBIZ_DEV_CUTOFF)
    dev_q = queries(GEBIZ_DEV_CUTOFF, GEBIZ_CUTOFF, set(dev_texts))
    return _gebiz_assemble(test_texts, test_agencies, test_q, dev_texts, dev_agencies, dev_q, limit)


def _firm_id(part: str, firm: str) -> str:
    # Firm names run past the 128-character id limit (joint ventures); a digest keeps ids short,
    # unique and stable, and the name stays in Supplier.name.
    return f"{part}:{hashlib.sha256(firm.encode()).hexdigest()[:16]}"


def _gebiz_assemble(
    test_texts: dict[str, list[str]],
    test_agencies: dict[str, set[str]],
    test_q: dict[str, tuple[dict[str, str], set[str]]],
    dev_texts: dict[str, list[str]],
    dev_agencies: dict[str, set[str]],
    dev_q: dict[str, tuple[dict[str, str], set[str]]],
    limit: int | None,
) -> Suite:
    # Documents: one supplier per (part, firm) so that dev queries only see pre-2022 profiles.
    suppliers: list[Supplier] = []
    chunks: dict[str, list[str]] = {}
    for part, texts, agencies in (
        ("test", test_texts, test_agencies),
        ("dev", dev_texts, dev_agencies),
    ):
        for firm, descriptions in sorted(texts.items()):
            sid = _firm_id(part, firm)
            suppliers.append(
                Supplier(
                    supplier_id=sid,
                    name=firm,
                    description=" | ".join(descriptions),
                    customers=sorted(agencies[firm]),
                )
            )
            chunks[sid] = descriptions
    requirements: list[Requirement] = []
    qrels: dict[str, dict[str, int]] = {}
    split: dict[str, Literal["dev", "test"]] = {}
    goods: set[str] = set()
    rng = random.Random(20261127)
    for part, qs in (("test", test_q), ("dev", dev_q)):
        items = sorted(qs.items())
        if limit is not None and len(items) > limit:
            items = sorted(rng.sample(items, limit))
        for tender, (first, winners) in items:
            rid = f"{part}:{tender}"
            text = first["tender_description_orig"]
            requirements.append(
                Requirement(requirement_id=rid, buyer=first["agency"], description=text)
            )
            qrels[rid] = {_firm_id(part, w): 1 for w in winners}
            split[rid] = part  # type: ignore[assignment]
            if any(word in text.lower() for word in GOODS_WORDS):
                goods.add(rid)
    return Suite("gebiz", suppliers, requirements, qrels, split, {"goods": goods}, chunks)


def _hs_suite(root: Path, *, reverse: bool, limit: int) -> Suite:
    """Vietnamese tariff-line paths → English paths of the same 8-digit code (or the reverse).

    Grade 2 = the same 8-digit code, grade 1 = another line of the same 6-digit subheading.
    Queries are a seeded sample of lines; dev/test are split by 4-digit heading so that tuning
    never sees a test heading's lines as queries.
    """
    path = _require(root / "vn_hs_bilingual" / "vn_hs_bilingual.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [
            r
            for r in csv.DictReader(handle)
            if r["is_leaf_8digit"] == "1" and r["chapter"] in HS_CHAPTERS
        ]
    doc_field, query_field = ("path_vi", "path_en") if reverse else ("path_en", "path_vi")
    by_code: dict[str, dict[str, str]] = {}
    for r in rows:
        by_code.setdefault(r["hs_code"], r)  # a handful of codes repeat; keep the first line
    suppliers = [
        Supplier(supplier_id=code, name=code, description=r[doc_field])
        for code, r in sorted(by_code.items())
    ]
    by_six: dict[str, list[str]] = defaultdict(list)
    for code in by_code:
        by_six[code[:6]].append(code)
    rng = random.Random(20261127)
    sampled = sorted(rng.sample(sorted(by_code), min(limit, len(by_code))))
    requirements, qrels, split = [], {}, {}
    for code in sampled:
        rid = f"q{code}"
        requirements.append(
            Requirement(requirement_id=rid, buyer="customs", description=by_code[code][query_field])
        )
        qrels[rid] = {other: 1 for other in by_six[code[:6]]}
        qrels[rid][code] = 2
        split[rid] = _stable_part(code[:4])
    name = "hs-en2vi" if reverse else "hs-vi2en"
    return Suite(name, suppliers, requirements, qrels, split)
