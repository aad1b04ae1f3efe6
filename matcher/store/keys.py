"""The service's API keys: a role, the buyer or supplier a key acts for, and the hash of its
secret (the secret itself is shown once, when the key is made, and never stored)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from matcher.errors import ConfigError, WorkspaceError
from matcher.store.db import ApiKeyRow, Store, UtcDateTime, fetch_all

Role = Literal["admin", "organiser", "buyer", "supplier"]
ROLES: tuple[Role, ...] = get_args(Role)
KEY_PREFIX = "mk_"


class ApiKey(BaseModel):
    """A key's identity and what it may do (never its secret)."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    key_id: str
    role: Role
    buyer_id: str | None
    supplier_id: str | None
    label: str
    created_at: UtcDateTime
    revoked: bool


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyStore(Store):
    """API keys: create, authenticate, list and revoke."""

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
            record = ApiKey.model_validate(row)
        return record, secret

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
            return ApiKey.model_validate(row)

    def api_keys(self) -> list[ApiKey]:
        return fetch_all(self.engine, ApiKeyRow, ApiKey.model_validate, ApiKeyRow.created_at)

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
