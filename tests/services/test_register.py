"""matcher/services/register.py: a supplier write reaches the database and the live index in one
call; refusals (bad id, existing id, id mismatch, missing firm, busy writer) write nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from matcher.config import Settings
from matcher.errors import Busy, Conflict, InputDataError, NotFound
from matcher.schemas import Supplier
from matcher.services import Register, open_index, write_gate
from matcher.store import Workspace


def firm(i: int, text: str = "dập kim loại, stamping of steel brackets") -> Supplier:
    return Supplier(supplier_id=f"S{i}", name=f"Firm {i}", description=text)


@pytest.fixture
def register(tmp_path: Path, hashing_settings: Settings) -> Register:
    root = tmp_path / "ws"
    workspace = Workspace(root)
    return Register(workspace, open_index(root, hashing_settings), write_wait_seconds=0.2)


def ids(register: Register, text: str) -> list[str]:
    return [m.supplier_id for m in register.index.search(text, top_k=10)]


def test_a_write_reaches_the_database_and_the_index_together(register: Register) -> None:
    assert register.upsert_suppliers([firm(1), firm(2, "ép nhựa, injection moulding ABS")]) == (
        2,
        0,
    )
    assert register.workspace.supplier("S2") is not None
    assert "S2" in ids(register, "injection moulding")
    register.replace_supplier("S2", firm(2, "mạ kẽm, zinc plating"))
    assert register.supplier("S2").description == "mạ kẽm, zinc plating"
    register.delete_supplier("S2")
    assert register.workspace.supplier("S2") is None
    assert "S2" not in ids(register, "zinc plating")


def test_refusals_write_nothing(register: Register) -> None:
    register.add_supplier(firm(1))
    with pytest.raises(Conflict, match="exists; use PUT"):
        register.add_supplier(firm(1, "changed"))
    with pytest.raises(InputDataError):
        register.replace_supplier("S1", firm(9))
    with pytest.raises(NotFound, match="no such supplier"):
        register.replace_supplier("S7", firm(7))
    unchecked = Supplier.model_construct(supplier_id="bad/id", name="x", description="y")
    with pytest.raises(InputDataError, match="supplier_id"):
        register.upsert_suppliers([unchecked])  # records built without validation are checked
    with pytest.raises(NotFound):
        register.delete_supplier("S7")
    assert [s.supplier_id for s in register.workspace.suppliers()] == ["S1"]
    assert register.supplier("S1").description == firm(1).description


def test_a_write_behind_a_held_writer_is_refused_not_queued(register: Register) -> None:
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with write_gate(register.index).held(5):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        held.wait(10)
        with pytest.raises(Busy, match="retry shortly"):
            register.upsert_suppliers([firm(3)])
        assert register.workspace.supplier("S3") is None
    finally:
        release.set()
        holder.join()
    register.upsert_suppliers([firm(3)])
    assert register.workspace.supplier("S3") is not None


def test_requirements_are_written_for_the_buyer_the_key_stands_for(register: Register) -> None:
    ws = register.workspace
    buyer, _ = ws.create_api_key("buyer", "honda-vn")
    organiser, _ = ws.create_api_key("organiser")
    mine = register.write_requirement(buyer, None, {"description": "brackets"})
    assert (mine.buyer_id, mine.buyer) == ("honda-vn", "honda-vn")
    assert mine.requirement_id.startswith("R-")
    with pytest.raises(InputDataError, match="buyer_id"):
        register.write_requirement(buyer, None, {"description": "x", "buyer_id": "toyota"})
    named = register.write_requirement(organiser, None, {"description": "x", "buyer": "Canon VN"})
    assert named.buyer_id == "canon-vn"
    with pytest.raises(NotFound, match="no such requirement"):  # another buyer's: as missing
        register.write_requirement(buyer, named.requirement_id, {"description": "mine now"})
    assert ws.requirement(named.requirement_id) == named
