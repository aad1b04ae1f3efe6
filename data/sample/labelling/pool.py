"""Build candidate pools for hand-labelling the sample (stdlib only).

For every requirement, three independent signals each nominate suppliers:

1. ``lexical``  - IDF-weighted word overlap of accent-folded texts (title, description, processes,
   materials of the request against description, processes, materials, products of the firm);
2. ``taxonomy`` - overlap of taxonomy tags found in both texts via ``data/taxonomy/taxonomy.csv``
   (English and Vietnamese terms), weighted process > product > material > sector;
3. ``sector``   - same sector code and at least one shared process tag;
4. ``certificate`` - for requests that require a rare certificate (IATF 16949, Samsung
   Eco-Partner, QC 080000, ISO 13485): every firm that holds it and shares a process tag, since
   the few holders would otherwise fall outside the pool.

The pool is the union of the top candidates of signals 1-3, ordered by reciprocal-rank fusion and
cut to 15-25 firms, plus every firm nominated by signal 4. Pools are written to
``pools/Rxxx.md`` with each firm's full profile so that a person can read and grade them.
The pooling never looks at the generator's internals.

Run: ``python3 data/sample/labelling/pool.py``
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1]
TOP_LEXICAL, TOP_TAXONOMY, TOP_SECTOR = 12, 12, 6
POOL_MIN, POOL_MAX = 15, 25
FACET_WEIGHT = {"process": 3.0, "product": 2.0, "material": 1.0, "sector": 0.5}
# fmt: off
# Kept apart from matcher/lexical.py on purpose: the labels must not depend on the engine.
STOPWORDS = {
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "of", "on",
    "or", "our", "the", "to", "we", "with", "need", "needs", "looking", "supplier", "suppliers",
    "local", "parts", "part", "month", "pcs", "per", "required", "preferred", "must", "plus",
    "va", "cac", "cho", "co", "cua", "duoc", "la", "nhung", "mot", "trong", "voi", "tai", "can",
    "nha", "cung", "cap", "san", "pham", "thang", "chi", "tiet", "cong", "ty",
}
# fmt: on


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics, keep letters/digits, single spaces."""
    text = text.lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " " + " ".join(re.findall(r"[a-z0-9]+", text)) + " "


def load_taxonomy() -> list[tuple[str, str, str]]:
    """(folded term, tag, facet), longest terms first."""
    out = []
    with (DATA / "taxonomy" / "taxonomy.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for col in ("terms_en", "terms_vi"):
                for t in row[col].split(";"):
                    if t.strip():
                        out.append((fold(t).strip(), row["tag"], row["facet"]))
    return sorted(out, key=lambda x: -len(x[0]))


def tags_of(text: str, taxonomy: list[tuple[str, str, str]]) -> dict[str, str]:
    """Tags whose terms occur as whole words in the folded text."""
    folded = fold(text)
    found: dict[str, str] = {}
    for term, tag, facet in taxonomy:
        if f" {term} " in folded:
            found[tag] = facet
    return found


RARE_CERTS = {"iatf16949", "eco", "qc080000", "iso13485"}


def canon_cert(text: str) -> str:
    """Fold messy certificate spellings ('iso9001', 'ISO-9001:2015') into one comparable string."""
    text = re.sub(r"[^a-z0-9]", "", text.lower())
    return text.replace("ecopartner", "eco").replace("samsungeco", "eco")


def tokens(text: str) -> list[str]:
    return [w for w in fold(text).split() if w not in STOPWORDS and len(w) > 1]


def main() -> None:
    taxonomy = load_taxonomy()
    sample = DATA / "sample"
    with (sample / "suppliers.csv").open(encoding="utf-8") as fh:
        suppliers = list(csv.DictReader(fh))
    with (sample / "requirements.csv").open(encoding="utf-8") as fh:
        requirements = list(csv.DictReader(fh))

    s_text = {
        s["supplier_id"]: " ".join(
            [s["description"], s["processes"], s["materials"], s["products"]]
        )
        for s in suppliers
    }
    s_tok = {k: Counter(tokens(v)) for k, v in s_text.items()}
    s_tags = {k: tags_of(v, taxonomy) for k, v in s_text.items()}
    df = Counter(w for c in s_tok.values() for w in c)
    n = len(suppliers)
    idf = {w: math.log(n / d) for w, d in df.items()}
    by_id = {s["supplier_id"]: s for s in suppliers}

    out_dir = HERE / "pools"
    out_dir.mkdir(exist_ok=True)
    sizes = []
    for r in requirements:
        rtext = " ".join([r["title"], r["description"], r["processes"], r["materials"]])
        r_tok = set(tokens(rtext))
        r_tags = tags_of(rtext, taxonomy)
        lexical = {sid: sum(idf.get(w, 0) for w in r_tok & set(c)) for sid, c in s_tok.items()}
        taxo = {
            sid: sum(FACET_WEIGHT[f] for t, f in r_tags.items() if t in tags)
            for sid, tags in s_tags.items()
        }
        r_proc = {t for t, f in r_tags.items() if f == "process"}
        r_sectors = set(filter(None, r["sector"].split(";")))
        sector = {
            sid: taxo[sid]
            for sid, s in by_id.items()
            if r_sectors & set(s["sector"].split(";")) and r_proc & set(s_tags[sid])
        }
        rankings = {
            "lexical": sorted(lexical, key=lambda k: -lexical[k])[:TOP_LEXICAL],
            "taxonomy": [k for k in sorted(taxo, key=lambda k: -taxo[k]) if taxo[k] > 0][
                :TOP_TAXONOMY
            ],
            "sector": sorted(sector, key=lambda k: -sector[k])[:TOP_SECTOR],
        }
        fused: Counter[str] = Counter()
        for ranked in rankings.values():
            for rank, sid in enumerate(ranked, start=1):
                fused[sid] += 1 / (60 + rank)
        pool = [sid for sid, _ in fused.most_common(POOL_MAX)]
        # Top up thin pools with the next lexical candidates so every pool has >= POOL_MIN firms.
        for sid in sorted(lexical, key=lambda k: -lexical[k]):
            if len(pool) >= POOL_MIN:
                break
            if sid not in pool:
                pool.append(sid)
        required = [canon_cert(c) for c in r["required_certifications"].split(";") if c.strip()]
        required = [c for c in required if c in RARE_CERTS]  # ISO 9001/14001 are too common
        if required:
            holders = [
                sid
                for sid, s in by_id.items()
                if all(c in canon_cert(s["certifications"]) for c in required)
                and r_proc & set(s_tags[sid])
            ]
            rankings["certificate"] = sorted(holders, key=lambda k: -taxo[k])
            pool += [sid for sid in rankings["certificate"] if sid not in pool]
        sizes.append(len(pool))
        lines = [
            f"# {r['requirement_id']} - {r['buyer']}: {r['title']}",
            "",
            f"{r['description']}",
            "",
            f"- required: {r['required_certifications'] or '-'}; preferred: "
            f"{r['preferred_certifications'] or '-'}; sector: {r['sector'] or '-'}; "
            f"processes: {r['processes'] or '-'}; materials: {r['materials'] or '-'}",
            f"- tags found: {', '.join(sorted(r_tags)) or '-'}",
            "",
            f"## Pool ({len(pool)} firms)",
            "",
        ]
        for sid in pool:
            s = by_id[sid]
            why = [name for name, ranked in rankings.items() if sid in ranked]
            lines += [
                f"### {sid} {s['name']} [{s['sector']}] (signals: {', '.join(why) or 'top-up'})",
                f"- processes: {s['processes']}",
                f"- materials: {s['materials']}; products: {s['products']}",
                f"- certifications: {s['certifications'] or '-'}",
                f"- {s['description'].strip()}",
                "",
            ]
        (out_dir / f"{r['requirement_id']}.md").write_text("\n".join(lines), encoding="utf-8")
    mean = sum(sizes) / len(sizes)
    print(f"{len(requirements)} pools, sizes {min(sizes)}-{max(sizes)}, mean {mean:.1f}")


if __name__ == "__main__":
    main()
