"""Turn judgements.md into labels.csv and check it against the pools (stdlib only).

Run: ``python3 data/sample/labelling/make_labels.py``
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent
LINE = re.compile(r"^(R\d{3}) \| 2:(?P<two>[^|]*)\| 1:(?P<one>[^|]*)\| (?P<why>.+)$")


def main() -> None:
    with (SAMPLE / "suppliers.csv").open(encoding="utf-8") as fh:
        supplier_ids = {r["supplier_id"] for r in csv.DictReader(fh)}
    with (SAMPLE / "requirements.csv").open(encoding="utf-8") as fh:
        requirement_ids = [r["requirement_id"] for r in csv.DictReader(fh)]
    rows: list[tuple[str, str, int]] = []
    counts: dict[str, tuple[int, int]] = {}
    outside_pool: list[str] = []
    for line in (HERE / "judgements.md").read_text(encoding="utf-8").splitlines():
        m = LINE.match(line)
        if not m:
            continue
        rid = m.group(1)
        if rid in counts:
            raise SystemExit(f"{rid} judged twice")
        pool = set(
            re.findall(r"^### (S\d{4})", (HERE / "pools" / f"{rid}.md").read_text("utf-8"), re.M)
        )
        two, one = m.group("two").split(), m.group("one").split()
        if set(two) & set(one):
            raise SystemExit(f"{rid}: {sorted(set(two) & set(one))} graded both 2 and 1")
        for grade, ids in ((2, two), (1, one)):
            for sid in ids:
                if sid not in supplier_ids:
                    raise SystemExit(f"{rid}: unknown supplier {sid}")
                if sid not in pool:
                    outside_pool.append(f"{rid}:{sid}")
                rows.append((rid, sid, grade))
        if len(two) + len(one) < 3:
            raise SystemExit(f"{rid}: fewer than 3 relevant suppliers")
        counts[rid] = (len(two), len(one))
    missing = [r for r in requirement_ids if r not in counts]
    rows.sort()
    with (SAMPLE / "labels.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["requirement_id", "supplier_id", "grade"])
        writer.writerows(rows)
    n2 = sum(1 for r in rows if r[2] == 2)
    n1 = len(rows) - n2
    print(f"{len(counts)} requirements judged, {len(rows)} labels: grade 2 = {n2}, grade 1 = {n1}")
    print("not judged:", missing or "none")
    print("judged outside the pool (judge's own search):", outside_pool or "none")
    print("requirements with no grade-2 supplier:", [r for r, (a, _) in counts.items() if a == 0])
    for rid, (a, b) in counts.items():
        print(f"  {rid}: {a} x grade 2, {b} x grade 1")


if __name__ == "__main__":
    main()
