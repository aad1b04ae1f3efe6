"""Who may see what: the rules every front end (the API, the web pages) applies to a caller's key.

- Public supplier profiles are seen by every key; contact persons and a register's own columns
  (``extra``: may hold personal data) only by organisers, the supplier itself, and a buyer with a
  confirmed meeting (store: ``confirmed_suppliers``).
- Requirements are private to their buyer: another buyer's answers exactly as a missing one.
- Outcomes (feedback) are reported only about the parties a key stands for.
"""

from __future__ import annotations

from collections.abc import Iterable

from matcher.errors import Forbidden, InputDataError, NotFound, Problem
from matcher.normalise import slugify
from matcher.schemas import Requirement, Supplier
from matcher.schemas import check_id as schema_check_id
from matcher.store import ApiKey, Workspace

CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")
STAFF = ("admin", "organiser")


def contact_visible(workspace: Workspace, key: ApiKey, supplier_ids: Iterable[str]) -> set[str]:
    """Which of these suppliers' contact persons the key may see."""
    ids = set(supplier_ids)
    if key.role in STAFF:
        return ids
    if key.role == "supplier":
        return ids & {key.supplier_id or ""}
    return ids & workspace.confirmed_suppliers(key.buyer_id or "")


def as_seen(supplier: Supplier, with_contacts: bool) -> Supplier:
    """The profile as a caller sees it: without contacts and own columns unless allowed."""
    if with_contacts:
        return supplier
    return supplier.model_copy(update={**dict.fromkeys(CONTACT_FIELDS), "extra": {}})


def views(workspace: Workspace, key: ApiKey, suppliers: list[Supplier]) -> list[Supplier]:
    """Each profile as this key sees it."""
    shown = contact_visible(workspace, key, (s.supplier_id for s in suppliers))
    return [as_seen(s, s.supplier_id in shown) for s in suppliers]


def may_edit_supplier(key: ApiKey, supplier_id: str) -> None:
    """Organisers edit any profile; a supplier key only its own (else Forbidden)."""
    own = key.role == "supplier" and key.supplier_id == supplier_id
    if key.role not in STAFF and not own:
        raise Forbidden("only organisers, or the supplier itself, edit a profile")


def owned_requirement(workspace: Workspace, key: ApiKey, requirement_id: str) -> Requirement:
    """The requirement if the key may see it; NotFound alike for missing and another buyer's."""
    owner = workspace.requirement_owner(requirement_id)
    requirement = workspace.requirement(requirement_id) if owner is not None else None
    if requirement is None or (key.role == "buyer" and owner != key.buyer_id):
        raise NotFound("no such requirement")
    return requirement


def request_problem(column: str, message: str) -> InputDataError:
    """A rejected request field, in the same shape as a rejected file cell."""
    return InputDataError([Problem("request", None, column, message)])


def check_ids(values: Iterable[str], what: str) -> None:
    """The one id rule (matcher.schemas.check_id) over records, as a problem naming the field."""
    for value in values:
        try:
            schema_check_id(value, what)
        except ValueError as exc:
            raise request_problem(what, str(exc)) from None


def feedback_parties(
    workspace: Workspace,
    key: ApiKey,
    buyer_id: str | None,
    supplier_id: str | None,
    requirement_id: str | None,
    event_id: str | None,
) -> tuple[str, str]:
    """(buyer_id, supplier_id) the feedback is about, checked against what the key may touch.

    A requirement the key may not see answers exactly as one that does not exist (404, same
    body), whatever else the request holds: the checks that do not depend on the requirement
    come first. Suppliers see no requirement list, so a supplier key sees a requirement only
    through the buyer that shared it: it must name that buyer (buyer_id).
    """
    if key.role == "buyer" and buyer_id not in (None, key.buyer_id or ""):
        raise request_problem("buyer_id", "a buyer key reports only for its own buyer")
    if key.role == "supplier" and supplier_id not in (None, key.supplier_id or ""):
        raise request_problem("supplier_id", "a supplier key reports only for its own firm")
    owner: str | None = None
    if requirement_id is not None:
        owner = workspace.requirement_owner(requirement_id)
        # The buyer the request stands for; organisers need not name one, they see every owner.
        claimed = key.buyer_id if key.role == "buyer" else buyer_id
        must_match = key.role in ("buyer", "supplier") or claimed is not None
        if owner is None or (must_match and owner != claimed):
            raise NotFound("no such requirement")
    buyer_id = (key.buyer_id or "") if key.role == "buyer" else (buyer_id or owner or "")
    if not buyer_id:
        raise request_problem("buyer_id", "name the buyer: buyer_id or requirement_id")
    if key.role == "supplier":
        supplier_id = key.supplier_id or ""
    elif supplier_id is None:
        raise request_problem("supplier_id", "name the supplier")
    if workspace.supplier(supplier_id) is None:
        raise NotFound("no such supplier")
    if event_id is not None and workspace.event(event_id) is None:
        raise NotFound("no such event")
    return buyer_id, supplier_id


def requirement_owner(key: ApiKey, buyer_id: str | None, buyer: str | None) -> tuple[str, str]:
    """(buyer_id, buyer display name) of a requirement this key writes: a buyer key writes only
    its own; an organiser names the buyer (by id, or by name, slugified into the id)."""
    if key.role == "buyer":
        mine = key.buyer_id or ""
        if buyer_id not in (None, mine):
            raise request_problem(
                "buyer_id",
                "a buyer key writes only its own requirements: "
                f"leave buyer_id out or give {mine!r}",
            )
        return mine, buyer or mine
    if buyer_id is None and buyer is None:
        raise request_problem("buyer_id", "name the buyer: buyer_id (or buyer)")
    owner = buyer_id or slugify(buyer or "")
    return owner, buyer or owner
