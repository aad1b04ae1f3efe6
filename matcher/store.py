"""Workspace storage: one SQL database (SQLite by default, any SQLAlchemy URL works) holding the
registered suppliers and requirements. Index artifacts live beside it (see matcher.artifacts)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from sqlalchemy import DateTime, String, Text, create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from matcher.embed import text_hash
from matcher.schemas import Requirement, Supplier


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


class Workspace:
    """A folder with ``matcher.sqlite``, ``embeddings.sqlite`` and ``index/``."""

    def __init__(self, root: Path | str, url: str | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.url = url or f"sqlite:///{self.root / 'matcher.sqlite'}"
        self.engine: Engine = create_engine(self.url)
        Base.metadata.create_all(self.engine)

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def cache_path(self) -> Path:
        return self.root / "embeddings.sqlite"

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
            [(r.requirement_id, {"buyer": r.buyer}, r.model_dump_json()) for r in requirements],
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

    def close(self) -> None:
        self.engine.dispose()
