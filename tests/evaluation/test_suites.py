"""Evaluation suites: splits that never leak, grades as documented."""

from __future__ import annotations

import csv

import pytest

from matcher.evaluation.suites import GEBIZ_CUTOFF, GEBIZ_DEV_CUTOFF, external_dir, load_suite

needs_external = pytest.mark.skipif(
    not external_dir().exists(), reason="../shared/data/external is not on this machine"
)


@needs_external
def test_gebiz_split_never_leaks() -> None:
    suite = load_suite("gebiz")
    dev = {r.requirement_id for r in suite.part("dev")}
    test = {r.requirement_id for r in suite.part("test")}
    assert len(test) > 1700 and len(dev) > 1500
    tenders = lambda ids: {i.split(":", 1)[1] for i in ids}  # noqa: E731
    assert not tenders(dev) & tenders(test)
    path = external_dir() / "gebiz_sg_procurement" / "gebiz_awards_joined.csv"
    with open(path, encoding="utf-8") as handle:
        date = {r["tender_no"]: r["award_date_iso"] for r in csv.DictReader(handle)}
    assert all(GEBIZ_DEV_CUTOFF <= date[t] < GEBIZ_CUTOFF for t in tenders(dev))
    assert all(date[t] >= GEBIZ_CUTOFF for t in tenders(test))
    # Profiles only hold tenders awarded before their part's cut-off.
    with open(path, encoding="utf-8") as handle:
        first_award: dict[str, str] = {}
        for r in csv.DictReader(handle):
            text = r["tender_description_orig"]
            first_award[text] = min(first_award.get(text, "9999"), r["award_date_iso"])
    for sid, descriptions in suite.chunks.items():
        cutoff = GEBIZ_CUTOFF if sid.startswith("test:") else GEBIZ_DEV_CUTOFF
        assert all(first_award[d] < cutoff for d in descriptions), sid
    # Every relevant document of a query is in that query's own part.
    for rid, judged in suite.qrels.items():
        assert all(doc.startswith(rid.split(":")[0] + ":") for doc in judged)


@needs_external
def test_hs_split_by_heading_and_grades() -> None:
    suite = load_suite("hs-vi2en")
    heading = {r.requirement_id: r.requirement_id[1:5] for r in suite.requirements}
    dev = {heading[r.requirement_id] for r in suite.part("dev")}
    test = {heading[r.requirement_id] for r in suite.part("test")}
    assert dev and test and not dev & test
    rid = suite.requirements[0].requirement_id
    code = rid[1:]
    assert suite.qrels[rid][code] == 2
    assert all(g == 1 and d[:6] == code[:6] for d, g in suite.qrels[rid].items() if d != code)
    docs = {s.supplier_id: s.description for s in suite.suppliers}
    assert docs[code].isascii() or "Loại" not in docs[code]  # English documents
    assert not suite.requirements[0].description.isascii()  # Vietnamese queries
