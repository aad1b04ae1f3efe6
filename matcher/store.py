"""Workspace storage: one SQL database (SQLite by default, any SQLAlchemy URL works) holding the
registered suppliers and requirements, the service's API keys, meeting feedback and events. Index
artifacts live beside it (see matcher.artifacts).

``Base.metadata`` is the schema's source of truth; Alembic migrations (matcher/migrations) bring
any database, fresh or made by an older version, to it when a Workspace is opened.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal, get_args

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from matcher.embed import text_hash
from matcher.errors import ConfigError, WorkspaceError
from matcher.normalise import buyer_id_of
from matcher.schemas import Requirement, Supplier

Role = Literal["admin", "organiser", "buyer", "supplier"]
ROLES: tuple[Role, ...] = get_args(Role)
Outcome = Literal["requested", "accepted", "declined", "met", "no-show", "sample", "order"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
# Outcomes that mean the two firms have (agreed to) meet; only when someone other than the buyer
# reports one does the buyer get to see the supplier's contact persons.
CONFIRMED_OUTCOMES: frozenset[str] = frozenset({"accepted", "met", "sample", "order"})
KEY_PREFIX = "mk_"


class Base(DeclarativeBase):
    pass


class _RecordRow(Base):
    """A validated record kept as JSON, with a hash to tell whether a re-import changed it."""

    __abstract__ = True
    key_name: ClassVar[str]
    data: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SupplierRow(_RecordRow):
    __tablename__ = "suppliers"
    key_name: ClassVar[str] = "supplier_id"
    supplier_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(512))


class RequirementRow(_RecordRow):
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


@dataclass(frozen=True)
class ApiKey:
    """A key's identity and what it may do (never its secret)."""

    key_id: str
    role: Role
    buyer_id: str | None
    supplier_id: str | None
    label: str
    created_at: datetime
    revoked: bool


@dataclass(frozen=True)
class Feedback:
    feedback_id: int
    created_at: datetime
    outcome: Outcome
    buyer_id: str
    supplier_id: str
    requirement_id: str | None
    event_id: str | None
    meeting_id: str | None
    author_role: Role
    note: str


@dataclass(frozen=True)
class EventRecord:
    event_id: str
    name: str
    spec: dict[str, Any]
    plan: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


def _utc(moment: datetime) -> datetime:
    """SQLite hands times back without their zone; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the service read while an import writes; the busy timeout waits out the writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def migrate(connection: Connection) -> None:
    """Bring the database on ``connection`` to the head revision (fresh or older databases)."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
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


class Workspace:
    """A folder with ``matcher.sqlite``, ``embeddings.sqlite`` and ``index/``."""

    def __init__(self, root: Path | str, url: str | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.url = url or f"sqlite:///{self.root / 'matcher.sqlite'}"
        self.engine: Engine = create_engine(self.url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        with self.engine.begin() as connection:
            migrate(connection)

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def cache_path(self) -> Path:
        return self.root / "embeddings.sqlite"

    @property
    def events_dir(self) -> Path:
        return self.root / "events"

    # -- suppliers and requirements --------------------------------------------------------------
    def upsert_suppliers(self, suppliers: Sequence[Supplier]) -> tuple[int, int]:
        """Insert or update in one transaction; returns (inserted, updated)."""
        return self._upsert(
            SupplierRow,
            [(s.supplier_id, {"name": s.name}, s.model_dump_json()) for s in suppliers],
        )

    def upsert_requirements(self, requirements: Sequence[Requirement]) -> tuple[int, int]:
        """Insert or update in one transaction; returns (inserted, updated)."""
        return self._upsert(
            RequirementRow,
            [
                (
                    r.requirement_id,
                    {"buyer": r.buyer, "buyer_id": buyer_id_of(r)},
                    r.model_dump_json(),
                )
                for r in requirements
            ],
        )

    def _upsert(
        self,
        table: type[_RecordRow],
        items: Sequence[tuple[str, dict[str, str], str]],
    ) -> tuple[int, int]:
        now = datetime.now(UTC)
        inserted = updated = 0
        with Session(self.engine) as session, session.begin():
            for key, columns, data in items:
                row = session.get(table, key)
                values = {
                    **columns,
                    "data": data,
                    "content_hash": text_hash(data),
                    "updated_at": now,
                }
                if row is None:
                    session.add(table(**{table.key_name: key}, **values))
                    inserted += 1
                elif row.data != data:
                    for name, value in values.items():
                        setattr(row, name, value)
                    updated += 1
        return inserted, updated

    def suppliers(self) -> list[Supplier]:
        with Session(self.engine) as session:
            rows = session.scalars(select(SupplierRow).order_by(SupplierRow.supplier_id))
            return [Supplier.model_validate(json.loads(r.data)) for r in rows]

    def requirements(self) -> list[Requirement]:
        with Session(self.engine) as session:
            rows = session.scalars(select(RequirementRow).order_by(RequirementRow.requirement_id))
            return [Requirement.model_validate(json.loads(r.data)) for r in rows]

    def supplier(self, supplier_id: str) -> Supplier | None:
        with Session(self.engine) as session:
            row = session.get(SupplierRow, supplier_id)
            return None if row is None else Supplier.model_validate(json.loads(row.data))

    def requirement(self, requirement_id: str) -> Requirement | None:
        with Session(self.engine) as session:
            row = session.get(RequirementRow, requirement_id)
            return None if row is None else Requirement.model_validate(json.loads(row.data))

    def requirement_owner(self, requirement_id: str) -> str | None:
        """The buyer id that owns a requirement, None when there is no such requirement."""
        with Session(self.engine) as session:
            row = session.get(RequirementRow, requirement_id)
            return None if row is None else row.buyer_id

    def page_suppliers(self, offset: int, limit: int) -> tuple[list[Supplier], int]:
        """One page of suppliers by id, and how many there are in all."""
        with Session(self.engine) as session:
            total = session.scalar(select(func.count()).select_from(SupplierRow)) or 0
            rows = session.scalars(
                select(SupplierRow).order_by(SupplierRow.supplier_id).offset(offset).limit(limit)
            )
            return [Supplier.model_validate(json.loads(r.data)) for r in rows], total

    def page_requirements(
        self, offset: int, limit: int, buyer_id: str | None = None
    ) -> tuple[list[Requirement], int]:
        """One page of requirements (of one buyer when ``buyer_id`` is given) and the total."""
        query = select(RequirementRow)
        counted = select(func.count()).select_from(RequirementRow)
        if buyer_id is not None:
            query = query.where(RequirementRow.buyer_id == buyer_id)
            counted = counted.where(RequirementRow.buyer_id == buyer_id)
        with Session(self.engine) as session:
            total = session.scalar(counted) or 0
            rows = session.scalars(
                query.order_by(RequirementRow.requirement_id).offset(offset).limit(limit)
            )
            return [Requirement.model_validate(json.loads(r.data)) for r in rows], total

    def delete_suppliers(self, supplier_ids: Sequence[str]) -> int:
        """Delete in one transaction; returns how many existed."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                delete(SupplierRow).where(SupplierRow.supplier_id.in_(list(supplier_ids)))
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def delete_requirement(self, requirement_id: str) -> bool:
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                delete(RequirementRow).where(RequirementRow.requirement_id == requirement_id)
            )
            return bool(getattr(result, "rowcount", 0))

    # -- API keys ------------------------------------------------------------------------------
    def create_api_key(
        self,
        role: str,
        buyer_id: str | None = None,
        supplier_id: str | None = None,
        label: str = "",
    ) -> tuple[ApiKey, str]:
        """A new key: returns its record and the secret, which is shown once and stored hashed."""
        if role not in ROLES:
            raise ConfigError(f"role {role!r} is not one of {', '.join(ROLES)}")
        if role == "buyer" and not buyer_id:
            raise ConfigError("a buyer key needs --buyer-id (the buyer it acts for)")
        if role == "supplier" and not supplier_id:
            raise ConfigError("a supplier key needs --supplier-id (the firm it acts for)")
        if role != "buyer" and buyer_id:
            raise ConfigError(f"--buyer-id is only for buyer keys, not {role}")
        if role != "supplier" and supplier_id:
            raise ConfigError(f"--supplier-id is only for supplier keys, not {role}")
        key_id = secrets.token_hex(8)
        secret = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        row = ApiKeyRow(
            key_id=key_id,
            key_hash=_hash_key(secret),
            role=role,
            buyer_id=buyer_id,
            supplier_id=supplier_id,
            label=label,
            created_at=datetime.now(UTC),
            revoked_at=None,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            record = self._key(row)
        return record, secret

    @staticmethod
    def _key(row: ApiKeyRow) -> ApiKey:
        return ApiKey(
            key_id=row.key_id,
            role=row.role,  # type: ignore[arg-type]  # only ROLES are ever written
            buyer_id=row.buyer_id,
            supplier_id=row.supplier_id,
            label=row.label,
            created_at=_utc(row.created_at),
            revoked=row.revoked_at is not None,
        )

    def authenticate(self, secret: str) -> ApiKey | None:
        """The live key whose secret this is, else None; hashes compared in constant time."""
        if not secret.startswith(KEY_PREFIX):
            return None
        key_id = secret[len(KEY_PREFIX) :].split("_", 1)[0]
        with Session(self.engine) as session:
            row = session.get(ApiKeyRow, key_id)
            # Hash even when no row matches, so a miss costs what a hit costs.
            given = _hash_key(secret)
            stored = row.key_hash if row is not None else _hash_key(KEY_PREFIX)
            if not hmac.compare_digest(given, stored) or row is None or row.revoked_at:
                return None
            return self._key(row)

    def api_keys(self) -> list[ApiKey]:
        with Session(self.engine) as session:
            rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at))
            return [self._key(r) for r in rows]

    def revoke_api_key(self, key_id: str, *, keep_an_admin: bool = False) -> bool:
        """Revoke a key (False when there is none of that id; revoking twice is harmless).

        keep_an_admin: refuse (WorkspaceError) to revoke the last live admin key, so that the
        API cannot lock every admin out; `matcher keys create --role admin` on the server is the
        way back in.
        """
        with Session(self.engine) as session, session.begin():
            row = session.get(ApiKeyRow, key_id)
            if row is None:
                return False
            if row.revoked_at is not None:
                return True
            live_admins = (
                select(func.count())
                .select_from(ApiKeyRow)
                .where(ApiKeyRow.role == "admin", ApiKeyRow.revoked_at.is_(None))
                .scalar_subquery()
            )
            revoke = update(ApiKeyRow).where(
                ApiKeyRow.key_id == key_id, ApiKeyRow.revoked_at.is_(None)
            )
            if keep_an_admin:
                # One statement: two admins revoking each other at once cannot both succeed.
                revoke = revoke.where(or_(ApiKeyRow.role != "admin", live_admins > 1))
            done = session.execute(revoke.values(revoked_at=datetime.now(UTC)))
            if getattr(done, "rowcount", 1) == 0:
                raise WorkspaceError(
                    f"key {key_id} is the last admin key: create another admin key before "
                    "revoking this one"
                )
            return True

    # -- feedback ------------------------------------------------------------------------------
    def add_feedback(
        self,
        *,
        outcome: str,
        buyer_id: str,
        supplier_id: str,
        author: ApiKey,
        requirement_id: str | None = None,
        event_id: str | None = None,
        meeting_id: str | None = None,
        note: str = "",
    ) -> Feedback:
        if outcome not in OUTCOMES:
            raise ConfigError(f"outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
        row = FeedbackRow(
            created_at=datetime.now(UTC),
            outcome=outcome,
            buyer_id=buyer_id,
            supplier_id=supplier_id,
            requirement_id=requirement_id,
            event_id=event_id,
            meeting_id=meeting_id,
            author_role=author.role,
            author_key=author.key_id,
            note=note,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return self._feedback(row)

    @staticmethod
    def _feedback(row: FeedbackRow) -> Feedback:
        return Feedback(
            feedback_id=row.feedback_id,
            created_at=_utc(row.created_at),
            outcome=row.outcome,  # type: ignore[arg-type]  # only OUTCOMES are ever written
            buyer_id=row.buyer_id,
            supplier_id=row.supplier_id,
            requirement_id=row.requirement_id,
            event_id=row.event_id,
            meeting_id=row.meeting_id,
            author_role=row.author_role,  # type: ignore[arg-type]
            note=row.note,
        )

    def page_feedback(
        self,
        offset: int,
        limit: int,
        buyer_id: str | None = None,
        supplier_id: str | None = None,
    ) -> tuple[list[Feedback], int]:
        query = select(FeedbackRow)
        counted = select(func.count()).select_from(FeedbackRow)
        if buyer_id is not None:
            query = query.where(FeedbackRow.buyer_id == buyer_id)
            counted = counted.where(FeedbackRow.buyer_id == buyer_id)
        if supplier_id is not None:
            query = query.where(FeedbackRow.supplier_id == supplier_id)
            counted = counted.where(FeedbackRow.supplier_id == supplier_id)
        with Session(self.engine) as session:
            total = session.scalar(counted) or 0
            rows = session.scalars(
                query.order_by(FeedbackRow.feedback_id).offset(offset).limit(limit)
            )
            return [self._feedback(r) for r in rows], total

    def confirmed_suppliers(self, buyer_id: str) -> set[str]:
        """Suppliers a buyer has a confirmed meeting with: an accepted / met / sample / order
        outcome reported by someone other than the buyer (the supplier, an organiser)."""
        with Session(self.engine) as session:
            rows = session.scalars(
                select(FeedbackRow.supplier_id).where(
                    FeedbackRow.buyer_id == buyer_id,
                    FeedbackRow.outcome.in_(sorted(CONFIRMED_OUTCOMES)),
                    FeedbackRow.author_role != "buyer",
                )
            )
            return set(rows)

    # -- events --------------------------------------------------------------------------------
    def create_event(self, event_id: str, name: str, spec: dict[str, Any]) -> EventRecord:
        now = datetime.now(UTC)
        row = EventRow(
            event_id=event_id,
            name=name,
            spec=json.dumps(spec, ensure_ascii=False),
            plan=None,
            created_at=now,
            updated_at=now,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            return self._event(row)

    @staticmethod
    def _event(row: EventRow) -> EventRecord:
        return EventRecord(
            event_id=row.event_id,
            name=row.name,
            spec=json.loads(row.spec),
            plan=json.loads(row.plan) if row.plan else None,
            created_at=_utc(row.created_at),
            updated_at=_utc(row.updated_at),
        )

    def event(self, event_id: str) -> EventRecord | None:
        with Session(self.engine) as session:
            row = session.get(EventRow, event_id)
            return None if row is None else self._event(row)

    def page_events(self, offset: int, limit: int) -> tuple[list[EventRecord], int]:
        with Session(self.engine) as session:
            total = session.scalar(select(func.count()).select_from(EventRow)) or 0
            rows = session.scalars(
                select(EventRow).order_by(EventRow.created_at).offset(offset).limit(limit)
            )
            return [self._event(r) for r in rows], total

    def update_event(
        self,
        event_id: str,
        *,
        spec: dict[str, Any] | None = None,
        plan: dict[str, Any] | None = None,
    ) -> EventRecord | None:
        with Session(self.engine) as session, session.begin():
            row = session.get(EventRow, event_id)
            if row is None:
                return None
            if spec is not None:
                row.spec = json.dumps(spec, ensure_ascii=False)
                row.name = str(spec.get("name") or row.name)
            if plan is not None:
                row.plan = json.dumps(plan, ensure_ascii=False)
            row.updated_at = datetime.now(UTC)
            return self._event(row)

    def close(self) -> None:
        self.engine.dispose()
