"""Outcomes as training data: the grade each stage of the ladder stands for, and each supplier's
response history up to a moment (what the learned ranker may know about it then).

The ladder (docs/learning.md says why): declined 0 < requested 1 < accepted 2 (no-show 2: the
meeting was agreed, then did not happen) < met 3 < sample 4 < order 5. A (requirement, supplier)
pair takes the furthest stage it reached.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

GRADES: dict[str, int] = {
    "declined": 0,
    "requested": 1,
    "accepted": 2,
    "no-show": 2,
    "met": 3,
    "sample": 4,
    "order": 5,
}
POSITIVE = 2  # accepted or further: the supplier answered and the two firms agreed to meet


@dataclass(frozen=True)
class Outcome:
    """One reported outcome about a proposed (requirement, supplier) pair."""

    at: datetime
    requirement_id: str
    supplier_id: str
    outcome: str

    @property
    def grade(self) -> int:
        return GRADES[self.outcome]


def graded(outcomes: Iterable[Outcome]) -> dict[str, dict[str, int]]:
    """requirement → supplier → the furthest grade reached (the qrels of the outcomes)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for o in outcomes:
        judged = out[o.requirement_id]
        judged[o.supplier_id] = max(judged.get(o.supplier_id, 0), o.grade)
    return dict(out)


@dataclass
class History:
    """Per supplier: outcomes reported before a moment, how many were positive, declined."""

    counts: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    @classmethod
    def before(cls, outcomes: Iterable[Outcome], moment: datetime | None = None) -> History:
        """What was known about each supplier before ``moment`` (all outcomes when None)."""
        seen: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for o in outcomes:
            if moment is not None and o.at >= moment:
                continue
            row = seen[o.supplier_id]
            row[0] += 1
            row[1] += o.grade >= POSITIVE
            row[2] += o.outcome == "declined"
        return cls({sid: (n, p, d) for sid, (n, p, d) in seen.items()})

    def features(self, supplier_id: str) -> tuple[float, float, float]:
        """(volume, positive rate, decline rate): the rates smoothed towards an even prior so that
        one outcome does not read as a certainty; volume log-scaled to [0, 1]."""
        n, positive, declined = self.counts.get(supplier_id, (0, 0, 0))
        volume = min(1.0, math.log1p(n) / math.log1p(50))
        return volume, (positive + 1) / (n + 2), (declined + 1) / (n + 2)

    def to_json(self) -> dict[str, list[int]]:
        return {sid: list(c) for sid, c in sorted(self.counts.items())}

    @classmethod
    def from_json(cls, raw: Mapping[str, Sequence[int]]) -> History:
        return cls({sid: (int(c[0]), int(c[1]), int(c[2])) for sid, c in raw.items()})
