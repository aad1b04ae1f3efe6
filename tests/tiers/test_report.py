"""The report: KPIs that add up to the network, one gap row per (track, firm, gap), every file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from matcher.tiers import TRACKS, Chain, TierNetwork, gap_rows, kpis, write_network
from matcher.tiers.report import firm_name
from tests.workbooks import check_workbook, cover_values


def test_kpis_add_up_to_the_network(network: TierNetwork, all_chains: list[Chain]) -> None:
    k = kpis(network, all_chains)
    links = network.links
    assert k["assemblers"] == 3
    assert k["links"]["total"] == len(links) == k["links"]["ready"] + k["links"]["needs"]
    assert sum(r["ready"] + r["needs"] for r in k["links"]["by_tier"].values()) == len(links)
    assert k["chains"]["total"] == len(all_chains)
    assert sum(k["gaps"]["by_track"].values()) == sum(len(link.gaps) for link in links)


def test_gap_rows_hold_each_gap_once_per_firm_by_track(network: TierNetwork) -> None:
    gaps = {(g.track, link.source, g.kind, g.item) for link in network.links for g in link.gaps}
    rows = [(r["track"], r["supplier_id"], r["gap_kind"], r["gap"]) for r in gap_rows(network)]
    assert rows == sorted(gaps, key=lambda k: (TRACKS.index(k[0]), *k[1:]))


def test_write_network_writes_every_file(
    network: TierNetwork, all_chains: list[Chain], tmp_path: Path
) -> None:
    files = write_network(network, all_chains, tmp_path)
    assert files == ["network.json", "network.graphml", "chains.csv", "gaps.xlsx", "kpis.json"]
    written = json.loads((tmp_path / "network.json").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(network.to_json()))
    with open(tmp_path / "chains.csv", encoding="utf-8", newline="") as handle:
        chains_read = list(csv.DictReader(handle))
    assert len(chains_read) == len(all_chains)
    for row, chain in zip(chains_read, all_chains, strict=True):
        # paths by name as well as by id: "Honda Vietnam ← Cơ khí An Phát ← …"
        names = [firm_name(network, f) for f in chain.path()]
        assert row["path_names"] == " ← ".join(names) and row["path"] == " ← ".join(chain.path())
        assert row["buyer_name"] == network.buyers[chain.buyer].name
        first = chain.path()[1]  # the tier-1 supplier: an id such as S0205, shown by its name
        assert names[1] == network.suppliers[first].supplier.name != first
    book = check_workbook(tmp_path / "gaps.xlsx")
    assert book.sheetnames == ["cover", "by firm", *TRACKS]
    assert cover_values(book)["Assemblers"] == len(network.buyers)
