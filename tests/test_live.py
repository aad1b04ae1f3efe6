from __future__ import annotations

import random
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.orm import Session

from matcher.config import Settings
from matcher.engine import Engine
from matcher.errors import ConfigError
from matcher.index import DenseIndex
from matcher.live import LiveIndex
from matcher.retrieve import Filters
from matcher.schemas import Match, Requirement, Supplier
from matcher.store import SupplierRow, Workspace

CAPABILITIES = [
    "dập kim loại tấm",
    "ép phun nhựa ABS",
    "gia công CNC chính xác",
    "hàn robot",
    "sơn tĩnh điện",
    "metal stamping",
    "injection moulding",
    "CNC machining",
    "welding",
    "powder coating",
    "die casting aluminium",
    "rubber seals",
    "wire harness",
    "PCB assembly",
    "corrugated packaging",
    "heat treatment",
    "forging steel",
    "mould making",
]
CERTS = ["ISO 9001", "IATF 16949", "ISO 14001"]
PROVINCES = ["Hà Nội", "Bắc Ninh", "Hải Phòng"]
QUERIES = [
    "metal stamping",
    "dập kim loại ISO 9001",
    "injection moulding ABS plastic",
    "anodizing aluminium",
    "gia công CNC",
]


def supplier(i: int, capabilities: Iterable[str], cert: int = 0, province: int = 0) -> Supplier:
    return Supplier(
        supplier_id=f"S{i:03d}",
        name=f"Firm {i}",
        description=", ".join(capabilities),
        certifications=[CERTS[cert % len(CERTS)]],
        province=PROVINCES[province % len(PROVINCES)],
    )


def register(n: int, seed: int = 0) -> list[Supplier]:
    rng = random.Random(seed)
    return [
        supplier(i, rng.sample(CAPABILITIES, rng.randint(1, 4)), rng.randrange(3), rng.randrange(3))
        for i in range(n)
    ]


def delete_rows(ws: Workspace, ids: Sequence[str]) -> None:
    """What the API does before LiveIndex.delete: remove the rows from the database."""
    with Session(ws.engine) as session, session.begin():
        session.execute(delete(SupplierRow).where(SupplierRow.supplier_id.in_(list(ids))))


def scratch(ws: Workspace, settings_: Settings) -> Engine:
    return Engine(settings_).build(ws.suppliers())


def same(got: list[Match], want: list[Match]) -> None:
    assert [m.supplier_id for m in got] == [m.supplier_id for m in want]
    assert [m.score for m in got] == pytest.approx([m.score for m in want], abs=1e-5)


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Workspace]:
    ws = Workspace(tmp_path / "ws")
    ws.upsert_suppliers(register(60))
    return tmp_path / "ws", ws


# -- the pieces ------------------------------------------------------------------------------------
@pytest.mark.parametrize("hnsw", [False, True])
def test_denied_suppliers_never_come_back_from_the_dense_index(hnsw: bool) -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(120, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = DenseIndex(exact_below=1 if hnsw else 10**9, hnsw_m=8).build(
        vectors, [f"S{i}" for i in range(120)]
    )
    denied = np.zeros(120, dtype=bool)
    denied[:100] = True
    _, positions = index.search(vectors[:5], 15, denied=denied)
    for row in positions:
        assert len(row[row >= 0]) == 15 and not denied[row[row >= 0]].any()
    allowed = np.zeros(120, dtype=bool)
    allowed[95:105] = True  # 5 of these are denied
    _, positions = index.search(vectors[:1], 10, allowed, denied)
    assert sorted(positions[0][positions[0] >= 0]) == list(range(100, 105))


# -- the service's promises ------------------------------------------------------------------------
def test_an_edit_is_searchable_on_return_without_a_rebuild(
    workspace: tuple[Path, Workspace], hashing_settings: Settings
) -> None:
    root, ws = workspace
    live = LiveIndex.open(root, hashing_settings)
    version, rebuilds = live.version, live.rebuilds
    edited = supplier(7, ["anodizing aluminium extrusion", "hard anodizing"], 1, 2)
    added = supplier(500, ["anodizing titanium parts"], 0, 0)
    ws.upsert_suppliers([edited, added])

    live.upsert([edited, added])
    found = live.search("anodizing aluminium", 10)

    # The edit went into the delta segment: no full re-index, no compaction in the background.
    assert (live.version, live.rebuilds) == (version, rebuilds)
    assert live.pending_edits == 3  # S007's old row tombstoned; S007 and S500 in the delta
    assert found[0].supplier_id == "S007"
    assert len(live) == 61
    # It ranks where a full rebuild would put it (BM25 under the whole register's statistics).
    same(found, scratch(ws, hashing_settings).search("anodizing aluminium", 10))


def test_deleted_suppliers_never_come_back(
    workspace: tuple[Path, Workspace], hashing_settings: Settings
) -> None:
    root, ws = workspace
    live = LiveIndex.open(root, hashing_settings)
    victims = ["S003", "S010", "S042"]
    texts = [s.description for s in ws.suppliers() if s.supplier_id in victims]
    delete_rows(ws, victims)
    live.delete(victims)
    live.delete(["S003", "nobody"])  # idempotent; unknown ids are ignored

    def returned() -> set[str]:
        out: set[str] = set()
        for text in [*texts, *QUERIES]:
            out |= {m.supplier_id for m in live.search(text, 100)}
            out |= {m.supplier_id for m in live.search(text, 100, Filters.build(CERTS[:1]))}
            req = Requirement(requirement_id="R", buyer="B", description=text)
            out |= {m.supplier_id for m in live.match(req, 100)}
        return out

    assert len(live) == 57
    assert not returned() & set(victims)
    live.upsert([supplier(200, ["metal stamping"])])  # a later edit rebuilds the delta
    assert not returned() & set(victims)
    live.rebuild()
    assert not returned() & set(victims)
    live = LiveIndex.open(root, hashing_settings)
    assert not returned() & set(victims)


def test_empty_workspace(tmp_path: Path, hashing_settings: Settings) -> None:
    live = LiveIndex.open(tmp_path / "empty", hashing_settings)
    assert len(live) == 0 and live.version is None
    assert live.search("metal stamping") == []
    assert live.match(Requirement(requirement_id="R", buyer="B", description="x")) == []
    first = supplier(1, ["metal stamping"])
    Workspace(tmp_path / "empty").upsert_suppliers([first])
    live.upsert([first])
    assert [m.supplier_id for m in live.search("metal stamping")] == ["S001"]
    delete_rows(Workspace(tmp_path / "empty"), ["S001"])
    live.delete(["S001"])
    assert live.search("metal stamping") == [] and len(live) == 0
    live.rebuild()  # an empty register: nothing to save, nothing to find
    assert live.search("metal stamping") == [] and live.version is None


def test_persistence_and_catching_up_with_the_database(
    workspace: tuple[Path, Workspace], hashing_settings: Settings
) -> None:
    root, ws = workspace
    live = LiveIndex.open(root, hashing_settings)
    first = live.version
    edited = supplier(12, ["anodizing aluminium"], 2, 1)
    ws.upsert_suppliers([edited])
    live.upsert([edited])
    live.rebuild()
    assert live.version != first and live.pending_edits == 0

    reopened = LiveIndex.open(root, hashing_settings)
    assert reopened.version == live.version and reopened.rebuilds == 0
    assert reopened.search("anodizing aluminium", 1)[0].supplier_id == "S012"

    # Rows changed while no server ran (`matcher ingest` alone) are applied on open as edits.
    ws.upsert_suppliers([supplier(300, ["forging titanium"])])
    delete_rows(ws, ["S012"])
    caught_up = LiveIndex.open(root, hashing_settings)
    assert caught_up.version == live.version and caught_up.pending_edits == 2
    assert caught_up.search("forging titanium", 1)[0].supplier_id == "S300"
    assert "S012" not in {m.supplier_id for m in caught_up.search("anodizing aluminium", 100)}
    same(
        caught_up.search("forging titanium"),
        scratch(ws, hashing_settings).search("forging titanium"),
    )


def test_searches_during_rebuild_get_complete_answers(
    workspace: tuple[Path, Workspace], hashing_settings: Settings
) -> None:
    root, ws = workspace
    live = LiveIndex.open(root, hashing_settings)
    valid = {s.supplier_id for s in ws.suppliers()}
    stop = threading.Event()
    errors: list[str] = []
    done = [0, 0]

    def searcher(slot: int, filters: Filters | None) -> None:
        want = 10 if filters is None else None
        while not stop.is_set():
            try:
                found = live.search(QUERIES[done[slot] % len(QUERIES)], 10, filters)
            except Exception as exc:  # reported below, with the assertion
                errors.append(repr(exc))
                return
            ids = [m.supplier_id for m in found]
            if (want is not None and len(ids) != want) or not found or set(ids) - valid:
                errors.append(f"incomplete answer: {ids}")
            if [m.rank for m in found] != list(range(1, len(found) + 1)):
                errors.append(f"ranks {[m.rank for m in found]}")
            done[slot] += 1

    threads = [
        threading.Thread(target=searcher, args=(0, None)),
        threading.Thread(target=searcher, args=(1, Filters.build(CERTS[:1]))),
    ]
    for t in threads:
        t.start()
    try:
        for round_ in range(3):
            extra = supplier(400 + round_, ["metal stamping", "welding"])
            ws.upsert_suppliers([extra])
            live.upsert([extra])
            valid.add(extra.supplier_id)
            before = sum(done)
            live.rebuild()
            assert sum(done) >= before  # searches went on while it rebuilt
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors[:5]
    assert min(done) > 0 and live.rebuilds == 4  # open + 3


def test_edits_during_a_rebuild_are_kept(
    workspace: tuple[Path, Workspace], hashing_settings: Settings
) -> None:
    root, ws = workspace
    live = LiveIndex.open(root, hashing_settings)
    rebuild = threading.Thread(target=live.rebuild)
    rebuild.start()
    for i in range(20):  # some land before the rebuild reads the database, some after
        late = supplier(600 + i, ["anodizing magnesium"])
        ws.upsert_suppliers([late])
        live.upsert([late])
    delete_rows(ws, ["S001"])
    live.delete(["S001"])
    rebuild.join()
    assert len(live) == 60 + 20 - 1
    same(
        live.search("anodizing magnesium", 30),
        scratch(ws, hashing_settings).search("anodizing magnesium", 30),
    )


def test_refuses_encoders_fitted_on_the_register_and_bad_calls(
    tmp_path: Path, hashing_settings: Settings
) -> None:
    tfidf = hashing_settings.model_copy(deep=True)
    tfidf.embed.encoder = "tfidf"
    with pytest.raises(ConfigError, match="pretrained encoder"):
        LiveIndex.open(tmp_path / "ws", tfidf)
    live = LiveIndex.open(tmp_path / "ws", hashing_settings)
    with pytest.raises(ConfigError, match="top_k"):
        live.search("metal", 0)
    with pytest.raises(ConfigError, match="empty"):
        live.search("   ")


# -- the property: edits in any order give what a build from scratch gives -------------------------
# An operation is a supplier to upsert or the id of one to delete, over a pool of 12 ids.
operations = st.lists(
    st.one_of(
        st.builds(
            supplier,
            st.integers(0, 11),
            st.lists(st.sampled_from(CAPABILITIES), min_size=1, max_size=3, unique=True),
            st.integers(0, 2),
            st.integers(0, 2),
        ),
        st.integers(0, 11).map(lambda i: f"S{i:03d}"),
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial=st.integers(0, 8), ops=operations, compact_above=st.sampled_from([3, 1000]))
def test_any_edits_equal_a_build_from_scratch(
    initial: int, ops: list[Supplier | str], compact_above: int
) -> None:
    hashing = Settings()
    hashing.embed.encoder = "hashing"
    with tempfile.TemporaryDirectory() as folder:
        ws = Workspace(Path(folder))
        ws.upsert_suppliers(register(initial, seed=initial))
        live = LiveIndex.open(Path(folder), hashing, compact_above=compact_above)
        for op in ops:
            if isinstance(op, Supplier):
                ws.upsert_suppliers([op])
                live.upsert([op])
            else:
                delete_rows(ws, [op])
                live.delete([op])
        live.close()  # a compaction may be running: it must not lose or resurrect anything
        reference = ws.suppliers()
        assert len(live) == len(reference)
        if not reference:
            assert live.search("metal stamping") == []
            return
        engine = Engine(hashing).build(reference)
        for query in QUERIES:
            same(live.search(query, 5), engine.search(query, 5))
            cert = Filters.build(CERTS[1:2])
            same(live.search(query, 5, cert), engine.search(query, 5, cert))
        req = Requirement(
            requirement_id="R", buyer="B", description="stamping", required_certifications=CERTS[:1]
        )
        same(live.match(req, 5), engine.match([req], 5))
