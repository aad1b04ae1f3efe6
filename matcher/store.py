"""Workspace storage: one SQL database (SQLite by default, any SQLAlchemy URL works) holding the
registered suppliers and requirements. Index artifacts live beside it (see matcher.artifacts)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, String, Text, create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from matcher.embed import text_hash
from matcher.schemas import Requirement, Supplier


class Base(DeclarativeBase):
    pass


class SupplierRow(Base):
    __tablename__ = "suppliers"
    supplier_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(512))
    data: Mapped[str] = mapped_column(Text)  # the validated Supplier as JSON
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RequirementRow(Base):
    __tablename__ = "requirements"
    requirement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    buyer: Mapped[str] = mapped_column(String(512), index=True)
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
        now = datetime.now(UTC)
        inserted = updated = 0
        with Session(self.engine) as session, session.begin():
            for s in suppliers:
                data = s.model_dump_json()
                row = session.get(SupplierRow, s.supplier_id)
                if row is None:
                    session.add(
                        SupplierRow(
                            supplier_id=s.supplier_id,
                            name=s.name,
                            data=data,
                            content_hash=text_hash(data),
                            updated_at=now,
                        )
                    )
                    inserted += 1
                elif row.data != data:
                    row.name, row.data, row.content_hash, row.updated_at = (
                        s.name,
                        data,
                        text_hash(data),
                        now,
                    )
                    updated += 1
        return inserted, updated

    def upsert_requirements(self, requirements: Sequence[Requirement]) -> tuple[int, int]:
        now = datetime.now(UTC)
        inserted = updated = 0
        with Session(self.engine) as session, session.begin():
            for r in requirements:
                data = r.model_dump_json()
                row = session.get(RequirementRow, r.requirement_id)
                if row is None:
                    session.add(
                        RequirementRow(
                            requirement_id=r.requirement_id,
                            buyer=r.buyer,
                            data=data,
                            updated_at=now,
                        )
                    )
                    inserted += 1
                elif row.data != data:
                    row.buyer, row.data, row.updated_at = r.buyer, data, now
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
