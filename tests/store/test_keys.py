"""API keys: create (secret shown once, stored hashed), authenticate, list, revoke."""

from __future__ import annotations

import hashlib
from datetime import UTC

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from matcher.errors import ConfigError, WorkspaceError
from matcher.store.keys import KEY_PREFIX, KeyStore


@pytest.fixture
def keys(engine: Engine) -> KeyStore:
    return KeyStore(engine)


# -- create ----------------------------------------------------------------------------------------
def test_a_new_key_authenticates_as_itself(keys: KeyStore) -> None:
    record, secret = keys.create_api_key("buyer", buyer_id="honda", label="Honda's portal")
    assert secret.startswith(f"{KEY_PREFIX}{record.key_id}_")
    assert (record.role, record.buyer_id, record.supplier_id) == ("buyer", "honda", None)
    assert (record.label, record.revoked) == ("Honda's portal", False)
    assert record.created_at.tzinfo is UTC
    assert keys.authenticate(secret) == record


def test_only_the_hash_of_the_secret_is_stored(keys: KeyStore, engine: Engine) -> None:
    record, secret = keys.create_api_key("admin")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM api_keys")).one()
    assert row.key_id == record.key_id
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in [str(value) for value in row]


@pytest.mark.parametrize(
    ("role", "buyer_id", "supplier_id", "message"),
    [
        ("owner", None, None, "role 'owner' is not one of admin, organiser, buyer, supplier"),
        ("buyer", None, None, "a buyer key needs --buyer-id (the buyer it acts for)"),
        ("supplier", None, None, "a supplier key needs --supplier-id (the firm it acts for)"),
        ("organiser", "honda", None, "--buyer-id is only for buyer keys, not organiser"),
        ("buyer", "honda", "S1", "--supplier-id is only for supplier keys, not buyer"),
    ],
)
def test_a_key_that_does_not_fit_its_role_is_refused(
    keys: KeyStore, role: str, buyer_id: str | None, supplier_id: str | None, message: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        keys.create_api_key(role, buyer_id=buyer_id, supplier_id=supplier_id)
    assert str(refused.value) == message
    assert keys.api_keys() == []


# -- authenticate ----------------------------------------------------------------------------------
def test_only_the_exact_secret_of_a_live_key_authenticates(keys: KeyStore) -> None:
    record, secret = keys.create_api_key("organiser")
    assert keys.authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert keys.authenticate(secret[len(KEY_PREFIX) :]) is None  # no prefix
    assert keys.authenticate(f"{KEY_PREFIX}0000000000000000_whatever") is None  # no such key
    assert keys.authenticate("") is None
    assert keys.authenticate(secret) == record


# -- list, revoke ----------------------------------------------------------------------------------
def test_keys_are_listed_oldest_first(keys: KeyStore) -> None:
    first, _ = keys.create_api_key("admin")
    second, _ = keys.create_api_key("supplier", supplier_id="S1")
    assert keys.api_keys() == [first, second]


def test_a_revoked_key_no_longer_authenticates(keys: KeyStore) -> None:
    record, secret = keys.create_api_key("organiser")
    assert keys.revoke_api_key(record.key_id) is True
    assert keys.authenticate(secret) is None
    assert [k.revoked for k in keys.api_keys()] == [True]
    assert keys.revoke_api_key(record.key_id) is True  # twice is harmless
    assert keys.revoke_api_key("no-such-key") is False


def test_the_last_live_admin_key_is_kept_when_asked(keys: KeyStore) -> None:
    first, _ = keys.create_api_key("admin")
    second, second_secret = keys.create_api_key("admin")
    assert keys.revoke_api_key(first.key_id, keep_an_admin=True) is True
    with pytest.raises(WorkspaceError) as refused:
        keys.revoke_api_key(second.key_id, keep_an_admin=True)
    assert str(refused.value) == (
        f"key {second.key_id} is the last admin key: create another admin key before "
        "revoking this one"
    )
    assert keys.authenticate(second_secret) == second


def test_other_keys_are_revoked_even_when_keeping_an_admin(keys: KeyStore) -> None:
    keys.create_api_key("admin")
    buyer, _ = keys.create_api_key("buyer", buyer_id="honda")
    assert keys.revoke_api_key(buyer.key_id, keep_an_admin=True) is True


def test_without_keep_an_admin_the_last_admin_key_may_go(keys: KeyStore) -> None:
    admin, _ = keys.create_api_key("admin")
    assert keys.revoke_api_key(admin.key_id) is True
    assert [k.revoked for k in keys.api_keys()] == [True]
