"""Workspace storage (the module moved here whole, to be split by aggregate next)."""

from matcher.store.db import (
    CONFIRMED_OUTCOMES,
    KEY_PREFIX,
    OUTCOMES,
    ROLES,
    ApiKey,
    Base,
    EventRecord,
    Feedback,
    Outcome,
    Role,
    SupplierRow,
    Workspace,
    migrate,
)

__all__ = [
    "CONFIRMED_OUTCOMES",
    "KEY_PREFIX",
    "OUTCOMES",
    "ROLES",
    "ApiKey",
    "Base",
    "EventRecord",
    "Feedback",
    "Outcome",
    "Role",
    "SupplierRow",
    "Workspace",
    "migrate",
]
