"""Events the service plans: each one's description (the spec, as matcher.events reads it) and
its last plan, both kept as JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from matcher.store.db import EventRow, Store, UtcDateTime, fetch_one, fetch_page


class EventRecord(BaseModel):
    """A stored event: its spec and its last plan (None before the first), as dicts."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    name: str
    spec: dict[str, Any]
    plan: dict[str, Any] | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


def _event(row: EventRow) -> EventRecord:
    return EventRecord(
        event_id=row.event_id,
        name=row.name,
        spec=json.loads(row.spec),
        plan=json.loads(row.plan) if row.plan else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class EventStore(Store):
    """Events: create, read, page (oldest first) and update the spec or the plan."""

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
            return _event(row)

    def event(self, event_id: str) -> EventRecord | None:
        return fetch_one(self.engine, EventRow, event_id, _event)

    def page_events(self, offset: int, limit: int) -> tuple[list[EventRecord], int]:
        return fetch_page(self.engine, EventRow, _event, EventRow.created_at, offset, limit)

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
            return _event(row)
