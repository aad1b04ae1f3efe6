"""Workspace storage: one SQL database holding the registered suppliers and requirements, the
service's API keys, meeting feedback and events, the web pages' sessions, shortlists and
meeting requests, one module per aggregate.

- ``db``: the tables (``Base.metadata``, the schema's source of truth), the engine, the Alembic
  migration run on open, and the queries the aggregates share (one record, all, one page).
- ``register``, ``keys``, ``feedback``, ``events``: each aggregate's store and records.
- ``workspace``: ``Workspace``, the folder and its database, made of the four stores.
"""

from matcher.store.db import (
    ApiKeyRow,
    Base,
    EventRow,
    FeedbackRow,
    RequirementRow,
    SupplierRow,
    migrate,
)
from matcher.store.events import EventRecord, EventStore
from matcher.store.feedback import CONFIRMED_OUTCOMES, OUTCOMES, Feedback, FeedbackStore, Outcome
from matcher.store.keys import KEY_PREFIX, ROLES, ApiKey, KeyStore, Role
from matcher.store.register import RegisterStore
from matcher.store.shortlists import (
    REQUEST_STATUSES,
    MeetingRequest,
    RequestStatus,
    ShortlistItem,
    ShortlistStore,
    WebSession,
)
from matcher.store.workspace import Workspace

__all__ = [
    "CONFIRMED_OUTCOMES",
    "KEY_PREFIX",
    "OUTCOMES",
    "REQUEST_STATUSES",
    "ROLES",
    "ApiKey",
    "ApiKeyRow",
    "Base",
    "EventRecord",
    "EventRow",
    "EventStore",
    "Feedback",
    "FeedbackRow",
    "FeedbackStore",
    "KeyStore",
    "MeetingRequest",
    "Outcome",
    "RegisterStore",
    "RequestStatus",
    "RequirementRow",
    "Role",
    "ShortlistItem",
    "ShortlistStore",
    "SupplierRow",
    "WebSession",
    "Workspace",
    "migrate",
]
