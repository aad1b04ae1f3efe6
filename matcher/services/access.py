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
from matcher.store import ApiKey, EventRecord, Workspace

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

    A requirement or event the key may not see answers exactly as one that does not exist (404,
    same body), whatever else the request holds: the checks that do not depend on them come
    first. A buyer sees its own requirements; a supplier only those the buyer or an organiser
    linked to it (a request, a proposal, a lock: ``linked_buyers``) or a meeting of the event it
    names, so no guess of a requirement id or a (buyer, requirement) pair tells it anything. A
    buyer or supplier sees the events it takes part in.
    """
    if key.role == "buyer" and buyer_id not in (None, key.buyer_id or ""):
        raise request_problem("buyer_id", "a buyer key reports only for its own buyer")
    if key.role == "supplier" and supplier_id not in (None, key.supplier_id or ""):
        raise request_problem("supplier_id", "a supplier key reports only for its own firm")
    event = _seen_event(workspace, key, event_id) if event_id is not None else None
    owner: str | None = None
    if requirement_id is not None and key.role == "supplier":
        owners = _shared_with(workspace, key.supplier_id or "", requirement_id, event)
        owners = owners & {buyer_id} if buyer_id is not None else owners
        if not owners:
            raise NotFound("no such requirement")
        owner = min(owners)
    elif requirement_id is not None:
        owner = workspace.requirement_owner(requirement_id)
        # The buyer the request stands for; organisers need not name one, they see every owner.
        claimed = key.buyer_id if key.role == "buyer" else buyer_id
        if owner is None or ((key.role == "buyer" or claimed is not None) and owner != claimed):
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
    return buyer_id, supplier_id


def _seen_event(workspace: Workspace, key: ApiKey, event_id: str) -> EventRecord:
    """The event if the key may see it (staff: any; a buyer or supplier: one it takes part in);
    NotFound alike for missing and unseen."""
    record = workspace.event(event_id)
    party = key.buyer_id if key.role == "buyer" else key.supplier_id
    takes_part = record is not None and any(
        p.get("id") == party and p.get("role") == key.role
        for p in record.spec.get("participants", [])
    )
    if record is None or (key.role not in STAFF and not takes_part):
        raise NotFound("no such event")
    return record


def _shared_with(
    workspace: Workspace, supplier_id: str, requirement_id: str, event: EventRecord | None
) -> set[str]:
    """The buyers whose requirement ``requirement_id`` was shown to this supplier: linked by an
    outcome someone else reported, or in a meeting of the event's plan."""
    owners = workspace.linked_buyers(requirement_id, supplier_id)
    meetings = (event.plan or {}).get("meetings", []) if event is not None else []
    owners |= {
        str(m.get("buyer_id"))
        for m in meetings
        if m.get("requirement_id") == requirement_id and m.get("supplier_id") == supplier_id
    }
    return owners


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
