"""The workspace database: its tables, opening an engine on it, migrating it, and the queries
every aggregate's store shares (one record by key, all records, one page of records).

``Base.metadata`` is the schema's source of truth; Alembic migrations (matcher/migrations) bring
any database, fresh or made by an older version, to it when a Workspace is opened.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib.resources import files
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    String,
    Text,
    create_engine,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, QueryableAttribute, Session, mapped_column


class Base(DeclarativeBase):
    pass


class RecordRow(Base):
    """A validated record kept as JSON, with a hash to tell whether a re-import changed it."""

    __abstract__ = True
    key_name: ClassVar[str]
    data: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SupplierRow(RecordRow):
    __tablename__ = "suppliers"
    key_name: ClassVar[str] = "supplier_id"
    supplier_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(512))


class RequirementRow(RecordRow):
    __tablename__ = "requirements"
    key_name: ClassVar[str] = "requirement_id"
    requirement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    buyer: Mapped[str] = mapped_column(String(512), index=True)
    # The owner: a buyer's participant id (matcher.normalise.buyer_id_of), what buyer keys bind to.
    buyer_id: Mapped[str] = mapped_column(String(512), index=True, server_default="")


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the whole key, hex
    role: Mapped[str] = mapped_column(String(16))
    buyer_id: Mapped[str | None] = mapped_column(String(512), nullable=True)
    supplier_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    label: Mapped[str] = mapped_column(String(200), server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class FeedbackRow(Base):
    __tablename__ = "feedback"
    feedback_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(16))
    buyer_id: Mapped[str] = mapped_column(String(512), index=True)
    supplier_id: Mapped[str] = mapped_column(String(64), index=True)
    requirement_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    meeting_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    author_role: Mapped[str] = mapped_column(String(16))
    author_key: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, server_default="")


class EventRow(Base):
    __tablename__ = "events"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(512))
    spec: Mapped[str] = mapped_column(Text)  # the event description as JSON (matcher.events)
    plan: Mapped[str | None] = mapped_column(Text, nullable=True)  # the last plan as JSON
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


RowT = TypeVar("RowT", bound=Base)
RecordT = TypeVar("RecordT")


def as_utc(moment: datetime) -> datetime:
    """SQLite hands times back without their zone; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# A record's time read from a row: labelled UTC whatever the database gave back.
UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the service read while an import writes; the busy timeout waits out the writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def open_engine(url: str) -> Engine:
    """An engine on the database at ``url`` (SQLite gets WAL and a busy timeout)."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrate(connection: Connection) -> None:
    """Bring the database on ``connection`` to the head revision (fresh or older databases)."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    # An installed package is unpacked on disk, so the Traversable is a real folder for alembic.
    config.set_main_option("script_location", str(files("matcher.migrations")))
    config.attributes["connection"] = connection
    head = ScriptDirectory.from_config(config).get_current_head()
    current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        return
    tables = set(inspect(connection).get_table_names())
    if current is None and "suppliers" in tables:
        # A workspace made before migrations existed holds exactly the first revision's tables.
        command.stamp(config, "0001")
    command.upgrade(config, "head")


class Store:
    """What every aggregate's store holds: the engine of the workspace database. Each method
    is one session, and each one that writes is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine


def fetch_one(
    engine: Engine, table: type[RowT], key: str, to_record: Callable[[RowT], RecordT]
) -> RecordT | None:
    """The record of the row with this primary key, None when there is none."""
    with Session(engine) as session:
        row = session.get(table, key)
        return None if row is None else to_record(row)


def fetch_all(
    engine: Engine,
    table: type[RowT],
    to_record: Callable[[RowT], RecordT],
    order_by: QueryableAttribute[Any],
) -> list[RecordT]:
    """Every row of ``table`` as a record, in ``order_by`` order."""
    with Session(engine) as session:
        return [to_record(row) for row in session.scalars(select(table).order_by(order_by))]


def fetch_page(
    engine: Engine,
    table: type[RowT],
    to_record: Callable[[RowT], RecordT],
    order_by: QueryableAttribute[Any],
    offset: int,
    limit: int,
    where: Sequence[ColumnElement[bool]] = (),
) -> tuple[list[RecordT], int]:
    """One page of the rows meeting every ``where`` condition, in ``order_by`` order, as records,
    and how many rows meet them in all (counted in the same session as the page)."""
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(table).where(*where)) or 0
        rows = session.scalars(
            select(table).where(*where).order_by(order_by).offset(offset).limit(limit)
        )
        return [to_record(row) for row in rows], total
