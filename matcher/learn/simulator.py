"""A seeded outcome simulator, for tests and benchmarks/learning.py.

Each round, one of the requirements is asked again by a buyer from a random country; the
transparent ranker's top SHOWN candidates are proposed; each proposal is looked at with a
probability that falls with its position (position bias) and, when looked at, ends at a stage of
the ladder set by a utility the transparent scorer does not know:

    utility = 0.3 · relevance grade (the register's labels, 0–2) + hidden preference + noise

The hidden preference: buyers from Japan favour firms that hold certifications and are tier 1 or
2; buyers from Korea favour firms with a long customer list; others have none. Meetings need a
shared language: without one a proposal stops at "accepted" (the organisers' "met" depends on
it). ``pure_noise`` draws every outcome uniformly instead, whatever the candidate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from matcher.learn.outcomes import GRADES, Outcome
from matcher.learn.table import Buyer, CandidateTable
from matcher.schemas import Supplier

SHOWN = 20
LOOK = 0.5  # a proposal at position p (0-based) is looked at with probability 1 / (1 + p) ** LOOK
COUNTRIES = (("JP", "ja", 0.35), ("KR", "ko", 0.2), ("VN", "vi", 0.3), ("DE", "en", 0.15))
LADDER = ("declined", "requested", "accepted", "met", "sample", "order")
THRESHOLDS = (0.3, 0.8, 1.3, 1.8, 2.3)  # utility cuts between the ladder's stages
RELEVANCE = 0.3  # utility per grade of the register's labels
START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Simulation:
    tables: dict[str, CandidateTable]  # one per simulated request (a base requirement re-asked)
    outcomes: list[Outcome]
    base_of: dict[str, str]  # simulated request → the requirement it re-asks


def hidden_preference(buyer: Buyer, profile: Supplier) -> float:
    """What these buyers value beyond anything the transparent scorer reads."""
    if buyer.country == "JP":
        return 1.5 if profile.certifications and profile.tier in (1, 2) else -0.8
    if buyer.country == "KR":
        return 1.2 if len(profile.customers) >= 3 else -0.5
    if buyer.country == "DE":
        return 1.0 if len(profile.certifications) >= 2 else -0.3
    return 0.0


def speaks(buyer: Buyer, profile: Supplier) -> bool:
    return buyer.language in {lang.strip().lower() for lang in profile.languages}


def simulate(
    tables: Mapping[str, CandidateTable],
    n_outcomes: int,
    seed: int = 0,
    *,
    relevance: Mapping[str, Mapping[str, int]] | None = None,
    noise: float = 0.25,
    pure_noise: bool = False,
    shown: int = SHOWN,
) -> Simulation:
    """``n_outcomes`` outcomes over re-asked copies of ``tables`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    bases = sorted(rid for rid, t in tables.items() if len(t))
    weights = np.array([w for *_, w in COUNTRIES])
    out = Simulation({}, [], {})
    round_ = 0
    while len(out.outcomes) < n_outcomes:
        rid = bases[int(rng.integers(len(bases)))]
        country, language, _ = COUNTRIES[int(rng.choice(len(COUNTRIES), p=weights / weights.sum()))]
        request = f"{rid}~{round_}"
        base = tables[rid]
        table = base.as_buyer(request, Buyer(country, base.buyer.sector, language))
        out.tables[request], out.base_of[request] = table, rid
        at = START + timedelta(hours=round_)
        judged = (relevance or {}).get(rid, {})
        top = np.argsort(-table.transparent, kind="stable")[:shown]
        for position, i in enumerate(top):
            if rng.random() > 1 / (1 + position) ** LOOK or len(out.outcomes) >= n_outcomes:
                continue
            profile = table.profiles[int(i)]
            if pure_noise:
                stage = str(rng.choice(list(GRADES)))
            else:
                utility = RELEVANCE * judged.get(profile.supplier_id, 0)
                utility += hidden_preference(table.buyer, profile) + rng.normal(0, noise)
                stage = LADDER[int(np.searchsorted(THRESHOLDS, utility))]
                if GRADES[stage] > GRADES["accepted"] and not speaks(table.buyer, profile):
                    stage = "accepted"
            out.outcomes.append(
                Outcome(at + timedelta(minutes=position), request, profile.supplier_id, stage)
            )
        round_ += 1
    return out


def ordered(outcomes: Sequence[Outcome]) -> list[Outcome]:
    return sorted(outcomes, key=lambda o: o.at)
