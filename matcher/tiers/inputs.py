"""A firm's own inputs: given in the register (an 'inputs' / 'đầu vào' column) or derived from its
products and processes through the input mapping (``data/taxonomy/inputs.csv``); each becomes a
requirement for the tier below."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.errors import InputDataError, Problem
from matcher.ingest import read_rows
from matcher.normalise import NormalisedSupplier, Taxonomy, fold, nfc
from matcher.resources import shipped
from matcher.schemas import Requirement
from matcher.tiers.qualify import Needs, offer_tags

DEFAULT_INPUTS = shipped("data/taxonomy/inputs.csv")

# IATF 16949 §8.4.2.3: an automotive supplier must require ISO 9001 of its own suppliers.
_FLOWDOWN = {"IATF 16949": "ISO 9001"}
# Header names under which a supplier file may give a firm's own inputs (folded).
_INPUT_HEADERS = frozenset(
    {
        "inputs",
        "input needs",
        "inputs needed",
        "dau vao",
        "nhu cau dau vao",
        "nguyen vat lieu dau vao",
        "vat tu dau vao",
    }
)


@dataclass(frozen=True)
class InputRule:
    """A firm with ``tag`` (or naming one of ``terms``) needs ``input_tag`` from the tier below."""

    tag: str | None
    terms: tuple[str, ...]
    input_tag: str
    text_en: str
    text_vi: str


def load_input_rules(path: Path, taxonomy: Taxonomy) -> list[InputRule]:
    """Read the input mapping (tag, terms, input_tag, text_en, text_vi); reject it whole if bad."""
    rules: list[InputRule] = []
    problems: list[Problem] = []
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputDataError([Problem(str(path), None, None, f"cannot read: {exc}")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"tag", "terms", "input_tag", "text_en", "text_vi"} - set(reader.fieldnames or [])
    if missing:
        raise InputDataError(
            [Problem(str(path), 1, c, "required column missing") for c in sorted(missing)]
        )
    for row_no, row in enumerate(reader, start=2):
        tag = (row["tag"] or "").strip() or None
        terms = tuple(fold(t) for t in (row["terms"] or "").split(";") if t.strip())
        input_tag = (row["input_tag"] or "").strip()
        if tag is not None and tag not in taxonomy.entries:
            problems.append(Problem(str(path), row_no, "tag", f"{tag!r} is not a taxonomy tag"))
        if tag is None and not terms:
            problems.append(Problem(str(path), row_no, "tag", "give a tag or some terms"))
        if input_tag not in taxonomy.entries:
            problems.append(
                Problem(str(path), row_no, "input_tag", f"{input_tag!r} is not a taxonomy tag")
            )
        text_en, text_vi = nfc(row["text_en"] or ""), nfc(row["text_vi"] or "")
        if not text_en:
            problems.append(Problem(str(path), row_no, "text_en", "must not be empty"))
        rules.append(InputRule(tag, terms, input_tag, text_en, text_vi))
    if problems:
        raise InputDataError(problems)
    return rules


def read_given_inputs(path: Path) -> dict[str, list[str]]:
    """A firm's own inputs from an optional 'inputs' / 'đầu vào' column of the supplier file."""
    headers, rows = read_rows(path)
    keys = {" ".join(fold(h).replace("_", " ").split()): h for h in headers}
    inputs_header = next((h for k, h in keys.items() if k in _INPUT_HEADERS), None)
    id_header = next((h for k, h in keys.items() if k in ("supplier id", "id")), None)
    if inputs_header is None or id_header is None:
        return {}
    out: dict[str, list[str]] = {}
    for raw in rows:
        cell = raw.cells.get(inputs_header)
        items = [nfc(p) for p in re.split(r"\s*[;|\n]\s*", str(cell or "")) if p.strip()]
        if items:
            out[str(raw.cells.get(id_header)).strip()] = items
    return out


@dataclass(frozen=True)
class InputNeed:
    """One input a firm needs: the lower tier's requirement and its checkable needs."""

    requirement: Requirement
    needs: Needs
    derived: bool  # from the mapping (True) or given in the firm's profile (False)


def firm_inputs(
    profile: NormalisedSupplier,
    rules: Sequence[InputRule],
    taxonomy: Taxonomy,
    given: Sequence[str] = (),
    max_inputs: int = 4,
    level: int = 1,
) -> list[InputNeed]:
    """The inputs a firm at ``level`` needs: given ones if any, else derived from the mapping.

    Derived inputs skip what the firm does itself (a stamper with its own plating line needs no
    plater) and keep the ``max_inputs`` called for by most of its products and processes (a
    rule that fires on a named product counts twice).
    """
    s = profile.supplier
    flowdown = [_FLOWDOWN[c] for c in sorted(profile.certifications) if c in _FLOWDOWN]
    target_tier = level + 1 if level + 1 <= 3 else None
    common: dict[str, Any] = {
        "buyer": s.name,
        "buyer_id": s.supplier_id,
        "required_certifications": flowdown,
        "sector": list(s.sector),
        "target_tier": target_tier,
    }
    out: list[InputNeed] = []
    if given:
        for number, item in enumerate(given, start=1):
            tags = [t for t in taxonomy.tag(item) if taxonomy.facet_of(t) != "sector"]
            req = Requirement(
                requirement_id=f"{s.supplier_id}>input-{number}",
                title=item,
                description=item,
                **common,
            )
            needs = Needs(
                requirement_id=req.requirement_id,
                certifications=tuple(flowdown),
                processes=frozenset(t for t in tags if taxonomy.facet_of(t) != "material"),
                capabilities=frozenset(t for t in tags if taxonomy.facet_of(t) == "material"),
                offer_only=True,
            )
            out.append(InputNeed(req, needs, derived=False))
        return out
    offered = offer_tags(profile, taxonomy)
    stated = fold("; ".join([*s.products, *s.processes, s.name_en or ""]))
    votes: Counter[str] = Counter()
    texts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for rule in rules:
        named = any(
            re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", stated) for term in rule.terms
        )
        fired = named or (rule.tag is not None and rule.tag in offered)
        if fired and rule.input_tag not in offered:
            # A product named in the profile ("yên xe") says more than a broad tag ("xe máy").
            votes[rule.input_tag] += 2 if named else 1
            if (rule.text_en, rule.text_vi) not in texts[rule.input_tag]:
                texts[rule.input_tag].append((rule.text_en, rule.text_vi))
    # Counter.most_common keeps first-seen order among ties: the file's order breaks ties.
    for input_tag, _ in votes.most_common(max_inputs):
        entry = taxonomy.entries[input_tag]
        english = "; ".join(en for en, _ in texts[input_tag])
        vietnamese = "; ".join(vi for _, vi in texts[input_tag])
        req = Requirement(
            requirement_id=f"{s.supplier_id}>{input_tag}",
            title=f"{entry.label_en} / {entry.label_vi}",
            description=f"{english}. {vietnamese}.",
            processes=[entry.label_en] if entry.facet == "process" else [],
            materials=[entry.label_en] if entry.facet == "material" else [],
            **common,
        )
        needs = Needs(
            requirement_id=req.requirement_id,
            certifications=tuple(flowdown),
            processes=frozenset({input_tag}),
            offer_only=True,
        )
        out.append(InputNeed(req, needs, derived=True))
    return out
