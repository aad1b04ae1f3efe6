"""The shared queries (one page, one record, all records), the engine and the migration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from matcher.store.db import (
    SupplierRow,
    as_utc,
    fetch_all,
    fetch_one,
    fetch_page,
    migrate,
    open_engine,
)


def _add(engine: Engine, *ids: str, name: str = "x") -> None:
    with Session(engine) as session, session.begin():
        for supplier_id in ids:
            session.add(
                SupplierRow(
                    supplier_id=supplier_id,
                    name=name,
                    data="{}",
                    content_hash="h",
                    updated_at=datetime.now(UTC),
                )
            )


def _id(row: SupplierRow) -> str:
    return row.supplier_id


def _page(
    engine: Engine, offset: int, limit: int, name: str | None = None
) -> tuple[list[str], int]:
    where = [] if name is None else [SupplierRow.name == name]
    return fetch_page(engine, SupplierRow, _id, SupplierRow.supplier_id, offset, limit, where)


# -- fetch_page ------------------------------------------------------------------------------------
def test_empty_table_gives_an_empty_page_and_a_zero_count(engine: Engine) -> None:
    assert _page(engine, 0, 10) == ([], 0)


def test_first_page_is_in_key_order_not_insertion_order(engine: Engine) -> None:
    _add(engine, "S3", "S5", "S1", "S4", "S2")
    assert _page(engine, 0, 2) == (["S1", "S2"], 5)


def test_last_page_holds_what_is_left(engine: Engine) -> None:
    _add(engine, "S1", "S2", "S3", "S4", "S5")
    assert _page(engine, 4, 2) == (["S5"], 5)


@pytest.mark.parametrize("offset", [5, 6, 1000])
def test_offset_at_or_past_the_end_gives_an_empty_page_and_the_count(
    engine: Engine, offset: int
) -> None:
    _add(engine, "S1", "S2", "S3", "S4", "S5")
    assert _page(engine, offset, 2) == ([], 5)


def test_a_limit_of_zero_gives_only_the_count(engine: Engine) -> None:
    _add(engine, "S1", "S2")
    assert _page(engine, 0, 0) == ([], 2)


def test_a_page_larger_than_the_table_holds_all(engine: Engine) -> None:
    _add(engine, "S2", "S1")
    assert _page(engine, 0, 100) == (["S1", "S2"], 2)


def test_pages_walked_end_to_end_hold_every_row_once_in_order(engine: Engine) -> None:
    ids = [f"S{i:02d}" for i in range(7)]
    _add(engine, *reversed(ids))
    seen: list[str] = []
    for offset in range(0, 9, 3):
        rows, total = _page(engine, offset, 3)
        assert total == 7
        seen += rows
    assert seen == ids


def test_conditions_narrow_both_the_page_and_the_count(engine: Engine) -> None:
    _add(engine, "S1", "S3", "S5", name="odd")
    _add(engine, "S2", "S4", name="even")
    assert _page(engine, 0, 10, name="even") == (["S2", "S4"], 2)
    assert _page(engine, 1, 1, name="odd") == (["S3"], 3)
    assert _page(engine, 0, 10, name="none") == ([], 0)


# -- fetch_one, fetch_all --------------------------------------------------------------------------
def test_fetch_one_finds_by_key_and_answers_none_for_a_missing_key(engine: Engine) -> None:
    _add(engine, "S1")
    assert fetch_one(engine, SupplierRow, "S1", _id) == "S1"
    assert fetch_one(engine, SupplierRow, "S9", _id) is None


def test_fetch_all_is_every_row_in_order(engine: Engine) -> None:
    assert fetch_all(engine, SupplierRow, _id, SupplierRow.supplier_id) == []
    _add(engine, "S2", "S3", "S1")
    assert fetch_all(engine, SupplierRow, _id, SupplierRow.supplier_id) == ["S1", "S2", "S3"]


# -- engine, migration, times ----------------------------------------------------------------------
def test_sqlite_engine_writes_ahead_and_waits_out_a_writer(engine: Engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_migrate_brings_an_empty_database_to_head_and_then_does_nothing(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    for _ in range(2):
        with engine.begin() as connection:
            migrate(connection)
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert version.scalar() == "0003_web"
    engine.dispose()


def test_as_utc_labels_a_naive_time_utc_and_keeps_a_zoned_one() -> None:
    naive = datetime(2024, 1, 1, 9, 0)
    assert as_utc(naive) == datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    hanoi = datetime(2024, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=7)))
    assert as_utc(hanoi) is hanoi
