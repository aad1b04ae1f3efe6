"""The workspace: its folder, its database shared by every store, and tenancy — a buyer (or a
supplier) sees through the scoped methods only its own rows, never another's."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.store import (
    EventStore,
    FeedbackStore,
    KeyStore,
    RegisterStore,
    Workspace,
)
from tests.store import requirement, supplier

HONDA, CANON = "honda-vietnam", "canon-vietnam"


def test_the_folder_holds_the_database_cache_and_index(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "new" / "ws")
    assert (tmp_path / "new" / "ws" / "matcher.sqlite").is_file()
    assert ws.url == f"sqlite:///{tmp_path / 'new' / 'ws' / 'matcher.sqlite'}"
    assert ws.index_dir == tmp_path / "new" / "ws" / "index"
    assert ws.cache_path == tmp_path / "new" / "ws" / "embeddings.sqlite"
    assert ws.events_dir == tmp_path / "new" / "ws" / "events"
    ws.close()


def test_a_url_puts_the_database_elsewhere(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws", url=f"sqlite:///{tmp_path / 'other.sqlite'}")
    ws.upsert_suppliers([supplier("S1")])
    assert (tmp_path / "other.sqlite").is_file()
    assert not (tmp_path / "ws" / "matcher.sqlite").exists()
    ws.close()


def test_the_workspace_is_every_store_on_one_engine(workspace: Workspace) -> None:
    for store in (RegisterStore, KeyStore, FeedbackStore, EventStore):
        assert isinstance(workspace, store)
    _, secret = workspace.create_api_key("admin")
    assert KeyStore(workspace.engine).authenticate(secret) is not None


def test_a_reopened_workspace_keeps_its_rows(tmp_path: Path) -> None:
    first = Workspace(tmp_path)
    first.upsert_suppliers([supplier("S1")])
    first.create_event("expo", "Expo", {"name": "Expo"})
    first.close()
    again = Workspace(tmp_path)
    assert [s.supplier_id for s in again.suppliers()] == ["S1"]
    assert again.event("expo") is not None
    again.close()


def test_two_workspaces_on_one_folder_see_each_others_writes(tmp_path: Path) -> None:
    service, importer = Workspace(tmp_path), Workspace(tmp_path)
    importer.upsert_suppliers([supplier("S1")])
    assert service.supplier("S1") == supplier("S1")
    service.close()
    importer.close()


# -- tenancy ---------------------------------------------------------------------------------------
@pytest.fixture
def shared(workspace: Workspace) -> Workspace:
    """Two buyers (Honda, Canon) and their requirements, outcomes and keys in one workspace."""
    workspace.upsert_suppliers([supplier("S1"), supplier("S2"), supplier("S3")])
    workspace.upsert_requirements(
        [
            requirement("RH1", "Honda Vietnam"),
            requirement("RC1", "Canon Vietnam"),
            requirement("RH2", "Honda Vietnam"),
        ]
    )
    organiser, _ = workspace.create_api_key("organiser")
    s2, _ = workspace.create_api_key("supplier", supplier_id="S2")
    for buyer_id, supplier_id, author in (
        (HONDA, "S1", organiser),
        (CANON, "S2", s2),
        (CANON, "S3", organiser),
        (HONDA, "S2", s2),
    ):
        workspace.add_feedback(
            outcome="accepted", buyer_id=buyer_id, supplier_id=supplier_id, author=author
        )
    return workspace


@pytest.mark.parametrize(
    ("buyer_id", "requirements", "confirmed"),
    [(HONDA, ["RH1", "RH2"], {"S1", "S2"}), (CANON, ["RC1"], {"S2", "S3"})],
)
def test_a_buyer_sees_only_its_own_rows(
    shared: Workspace, buyer_id: str, requirements: list[str], confirmed: set[str]
) -> None:
    page, total = shared.page_requirements(0, 10, buyer_id)
    assert ([r.requirement_id for r in page], total) == (requirements, len(requirements))
    owners = {r.requirement_id: shared.requirement_owner(r.requirement_id) for r in page}
    assert set(owners.values()) == {buyer_id}
    outcomes, count = shared.page_feedback(0, 10, buyer_id=buyer_id)
    assert {f.buyer_id for f in outcomes} == {buyer_id} and count == 2
    assert shared.confirmed_suppliers(buyer_id) == confirmed


def test_a_buyer_key_carries_its_buyer(shared: Workspace) -> None:
    honda, honda_secret = shared.create_api_key("buyer", buyer_id=HONDA)
    canon, canon_secret = shared.create_api_key("buyer", buyer_id=CANON)
    assert shared.authenticate(honda_secret) == honda
    assert shared.authenticate(canon_secret) == canon
    assert (honda.buyer_id, canon.buyer_id) == (HONDA, CANON)


def test_a_supplier_sees_only_the_outcomes_about_itself(shared: Workspace) -> None:
    outcomes, count = shared.page_feedback(0, 10, supplier_id="S2")
    assert [(f.buyer_id, f.supplier_id) for f in outcomes] == [(CANON, "S2"), (HONDA, "S2")]
    assert count == 2
    assert shared.page_feedback(0, 10, buyer_id=HONDA, supplier_id="S3") == ([], 0)


@pytest.mark.parametrize("stranger", ["", "honda", "honda-vietnam-2", "HONDA-VIETNAM", "%"])
def test_an_id_that_is_not_exactly_a_buyers_sees_nothing(shared: Workspace, stranger: str) -> None:
    assert shared.page_requirements(0, 10, stranger) == ([], 0)
    assert shared.page_feedback(0, 10, buyer_id=stranger) == ([], 0)
    assert shared.page_feedback(0, 10, supplier_id=stranger) == ([], 0)
    assert shared.confirmed_suppliers(stranger) == set()


def test_the_unscoped_lists_are_the_organisers_and_hold_everyone(shared: Workspace) -> None:
    assert [r.requirement_id for r in shared.requirements()] == ["RC1", "RH1", "RH2"]
    assert shared.page_requirements(0, 10)[1] == 3
    assert shared.page_feedback(0, 10)[1] == 4
