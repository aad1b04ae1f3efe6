"""What the web pages keep: sign-in sessions, buyers' shortlists and meeting requests (and
how they read many profiles at once).

- A web session stands for one API key: the browser holds a random token in a cookie, the
  database only its sha256 (as for API keys), the key it was opened with, its CSRF token and
  when it expires. A revoked key ends its sessions at once (checked on every read).
- A shortlist is a buyer's list of suppliers, one row a (buyer, supplier), with a note.
- A meeting request asks a supplier to meet a buyer at an event; the supplier answers it once
  (pending → accepted or declined).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict
from sqlalchemy import DateTime, Integer, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from matcher.schemas import Supplier
from matcher.store.db import ApiKeyRow, Base, Store, SupplierRow, UtcDateTime, as_utc
from matcher.store.keys import ApiKey

RequestStatus = Literal["pending", "accepted", "declined"]
REQUEST_STATUSES: tuple[RequestStatus, ...] = get_args(RequestStatus)


class WebSessionRow(Base):
    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ShortlistRow(Base):
    __tablename__ = "shortlist_items"
    buyer_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    supplier_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    note: Mapped[str] = mapped_column(Text, server_default="")
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MeetingRequestRow(Base):
    __tablename__ = "meeting_requests"
    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), index=True)
    buyer_id: Mapped[str] = mapped_column(String(512), index=True)
    supplier_id: Mapped[str] = mapped_column(String(64), index=True)
    requirement_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message: Mapped[str] = mapped_column(Text, server_default="")
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WebSession(BaseModel):
    """A live session: the key it acts as and the token its forms must carry."""

    model_config = ConfigDict(frozen=True)

    key: ApiKey
    csrf: str
    expires_at: UtcDateTime


class ShortlistItem(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    buyer_id: str
    supplier_id: str
    note: str
    added_at: UtcDateTime


class MeetingRequest(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    request_id: int
    event_id: str
    buyer_id: str
    supplier_id: str
    requirement_id: str | None
    message: str
    status: RequestStatus
    created_at: UtcDateTime
    answered_at: UtcDateTime | None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ShortlistStore(Store):
    """Web sessions, shortlists and meeting requests (each method one session/transaction)."""

    # -- sessions --------------------------------------------------------------------------------
    def open_web_session(self, key_id: str, lifetime: timedelta) -> tuple[str, WebSession]:
        """A new session for this key: (the cookie's token, shown once; the session). Expired
        sessions are removed on the way."""
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with Session(self.engine) as session, session.begin():
            key_row = session.get(ApiKeyRow, key_id)
            if key_row is None or key_row.revoked_at is not None:
                raise LookupError(f"no live key {key_id!r}")
            session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < now))
            row = WebSessionRow(
                token_hash=_token_hash(token),
                key_id=key_id,
                csrf=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + lifetime,
            )
            session.add(row)
            found = WebSession(
                key=ApiKey.model_validate(key_row), csrf=row.csrf, expires_at=row.expires_at
            )
        return token, found

    def web_session(self, token: str) -> WebSession | None:
        """The live session of this token (None: unknown, expired, or its key revoked)."""
        with Session(self.engine) as session:
            row = session.get(WebSessionRow, _token_hash(token))
            if row is None or as_utc(row.expires_at) <= datetime.now(UTC):
                return None
            key_row = session.get(ApiKeyRow, row.key_id)
            if key_row is None or key_row.revoked_at is not None:
                return None
            return WebSession(
                key=ApiKey.model_validate(key_row), csrf=row.csrf, expires_at=row.expires_at
            )

    def close_web_session(self, token: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(
                delete(WebSessionRow).where(WebSessionRow.token_hash == _token_hash(token))
            )

    # -- profiles, many at once ------------------------------------------------------------------
    def suppliers_by_id(self, supplier_ids: Iterable[str]) -> dict[str, Supplier]:
        """The registered profiles of these ids, in one query (a page of search results and
        its facets); ids not registered are left out."""
        wanted = sorted(set(supplier_ids))
        found: dict[str, Supplier] = {}
        with Session(self.engine) as session:
            for start in range(0, len(wanted), 500):  # under SQLite's bound-parameter limit
                chunk = wanted[start : start + 500]
                query = select(SupplierRow).where(SupplierRow.supplier_id.in_(chunk))
                for row in session.scalars(query):
                    found[row.supplier_id] = Supplier.model_validate(json.loads(row.data))
        return found

    # -- shortlists ------------------------------------------------------------------------------
    def shortlist(self, buyer_id: str) -> list[ShortlistItem]:
        """A buyer's shortlist, in the order the suppliers were added."""
        query = (
            select(ShortlistRow)
            .where(ShortlistRow.buyer_id == buyer_id)
            .order_by(ShortlistRow.added_at, ShortlistRow.supplier_id)
        )
        with Session(self.engine) as session:
            return [ShortlistItem.model_validate(r) for r in session.scalars(query)]

    def add_to_shortlist(self, buyer_id: str, supplier_id: str, note: str = "") -> bool:
        """Shortlist a supplier (True), or update the note of one already there (False)."""
        with Session(self.engine) as session, session.begin():
            row = session.get(ShortlistRow, (buyer_id, supplier_id))
            if row is not None:
                row.note = note
                return False
            session.add(
                ShortlistRow(
                    buyer_id=buyer_id,
                    supplier_id=supplier_id,
                    note=note,
                    added_at=datetime.now(UTC),
                )
            )
            return True

    def remove_from_shortlist(self, buyer_id: str, supplier_id: str) -> bool:
        with Session(self.engine) as session, session.begin():
            row = session.get(ShortlistRow, (buyer_id, supplier_id))
            if row is None:
                return False
            session.delete(row)
            return True

    # -- meeting requests ------------------------------------------------------------------------
    def add_meeting_request(
        self,
        event_id: str,
        buyer_id: str,
        supplier_id: str,
        requirement_id: str | None,
        message: str,
    ) -> MeetingRequest:
        row = MeetingRequestRow(
            event_id=event_id,
            buyer_id=buyer_id,
            supplier_id=supplier_id,
            requirement_id=requirement_id,
            message=message,
            status="pending",
            created_at=datetime.now(UTC),
            answered_at=None,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return MeetingRequest.model_validate(row)

    def meeting_request(self, request_id: int) -> MeetingRequest | None:
        with Session(self.engine) as session:
            row = session.get(MeetingRequestRow, request_id)
            return None if row is None else MeetingRequest.model_validate(row)

    def meeting_requests(
        self,
        *,
        buyer_id: str | None = None,
        supplier_id: str | None = None,
        event_id: str | None = None,
    ) -> list[MeetingRequest]:
        """Requests of a buyer, to a supplier and/or at an event (newest first); at least one
        of the three must be given."""
        where = [
            column == value
            for column, value in (
                (MeetingRequestRow.buyer_id, buyer_id),
                (MeetingRequestRow.supplier_id, supplier_id),
                (MeetingRequestRow.event_id, event_id),
            )
            if value is not None
        ]
        if not where:
            raise ValueError("name a buyer, a supplier or an event")
        query = select(MeetingRequestRow).where(*where)
        query = query.order_by(MeetingRequestRow.request_id.desc())
        with Session(self.engine) as session:
            return [MeetingRequest.model_validate(r) for r in session.scalars(query)]

    def answer_meeting_request(self, request_id: int, status: RequestStatus) -> bool:
        """Accept or decline a pending request (False: there is no pending request of this id,
        so two answers at once cannot both win)."""
        if status == "pending":
            raise ValueError("an answer is accepted or declined")
        answer = (
            update(MeetingRequestRow)
            .where(MeetingRequestRow.request_id == request_id)
            .where(MeetingRequestRow.status == "pending")
            .values(status=status, answered_at=datetime.now(UTC))
        )
        with Session(self.engine) as session, session.begin():
            # One statement: of two answers at once, only the first finds the request pending.
            done = session.execute(answer)
            return bool(getattr(done, "rowcount", 0))
