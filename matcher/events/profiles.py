"""What an agenda or a matching list says about the firm across the table: its public profile
line (where it is, what it does, its certificates), its province, and its contact person where
that may be shared.

Contact persons follow the rule of matcher.services.access: a buyer sees a supplier's contact
persons only once a meeting between them is confirmed. In a plan a meeting is confirmed when it
is locked (``Meeting.locked``: the organiser confirmed it, and every re-plan keeps it), so lists
and agendas show the contact for locked meetings only. Buyers have no contact fields in the
register, so a supplier's agenda never shows one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from matcher.normalise import buyer_id_of
from matcher.schemas import Requirement, Supplier

# How many processes, products and certificates a profile line names: one printed line.
_LISTED = 3


@dataclass(frozen=True)
class Profile:
    """A firm's public face in agendas and lists (no contact in ``line``)."""

    line: str
    province: str = ""
    contact: str = ""  # "name · e-mail · phone"; shown only where allowed (see module doc)


def _first(values: Sequence[str]) -> str:
    shown = ", ".join(values[:_LISTED])
    return shown + (", …" if len(values) > _LISTED else "")


def supplier_profile(supplier: Supplier) -> Profile:
    """Where the supplier is, what it does and what it holds, on one line."""
    where = ", ".join(p for p in (supplier.industrial_park, supplier.province) if p)
    parts = [where, _first(supplier.processes), _first(supplier.products)]
    parts.append(_first(supplier.certifications))
    contact = " · ".join(
        c for c in (supplier.contact_name, supplier.contact_email, supplier.contact_phone) if c
    )
    return Profile(" · ".join(p for p in parts if p), supplier.province or "", contact)


def buyer_profile(requirements: Iterable[Requirement]) -> Profile:
    """A buyer by the provinces its requirements name (their titles go in the agenda rows)."""
    provinces = sorted({r.province for r in requirements if r.province})
    return Profile(", ".join(provinces), provinces[0] if provinces else "")


def profiles_of(
    suppliers: Iterable[Supplier], requirements: Iterable[Requirement]
) -> dict[str, Profile]:
    """Every firm's profile by participant id: suppliers by id, buyers by their buyer id."""
    out = {s.supplier_id: supplier_profile(s) for s in suppliers}
    by_buyer: dict[str, list[Requirement]] = {}
    for r in requirements:
        by_buyer.setdefault(buyer_id_of(r), []).append(r)
    out.update({b: buyer_profile(rs) for b, rs in by_buyer.items() if b not in out})
    return out
