"""The web pages' tables: sign-in sessions, buyers' shortlists, meeting requests.

Revision ID: 0003_web
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_web"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_web_sessions_key_id", "web_sessions", ["key_id"])
    op.create_table(
        "shortlist_items",
        sa.Column("buyer_id", sa.String(512), primary_key=True),
        sa.Column("supplier_id", sa.String(64), primary_key=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "meeting_requests",
        sa.Column("request_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("buyer_id", sa.String(512), nullable=False),
        sa.Column("supplier_id", sa.String(64), nullable=False),
        sa.Column("requirement_id", sa.String(64), nullable=True),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
    )
    for column in ("event_id", "buyer_id", "supplier_id"):
        op.create_index(f"ix_meeting_requests_{column}", "meeting_requests", [column])


def downgrade() -> None:
    for column in ("event_id", "buyer_id", "supplier_id"):
        op.drop_index(f"ix_meeting_requests_{column}", table_name="meeting_requests")
    op.drop_table("meeting_requests")
    op.drop_table("shortlist_items")
    op.drop_index("ix_web_sessions_key_id", table_name="web_sessions")
    op.drop_table("web_sessions")
