"""The service's tables: requirement owners, API keys, feedback and events.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requirements") as batch:
        batch.add_column(sa.Column("buyer_id", sa.String(512), server_default="", nullable=False))
        batch.create_index("ix_requirements_buyer_id", ["buyer_id"])
    # Owners of requirements imported before this revision, by the rule the events use.
    from matcher.normalise import buyer_id_of
    from matcher.schemas import Requirement

    bind = op.get_bind()
    table = sa.table(
        "requirements",
        sa.column("requirement_id", sa.String),
        sa.column("data", sa.Text),
        sa.column("buyer_id", sa.String),
    )
    for key, data in bind.execute(sa.select(table.c.requirement_id, table.c.data)).all():
        owner = buyer_id_of(Requirement.model_validate(json.loads(data)))
        bind.execute(table.update().where(table.c.requirement_id == key).values(buyer_id=owner))
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("buyer_id", sa.String(512), nullable=True),
        sa.Column("supplier_id", sa.String(64), nullable=True),
        sa.Column("label", sa.String(200), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "feedback",
        sa.Column("feedback_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("buyer_id", sa.String(512), nullable=False),
        sa.Column("supplier_id", sa.String(64), nullable=False),
        sa.Column("requirement_id", sa.String(64), nullable=True),
        sa.Column("event_id", sa.String(64), nullable=True),
        sa.Column("meeting_id", sa.String(64), nullable=True),
        sa.Column("author_role", sa.String(16), nullable=False),
        sa.Column("author_key", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
    )
    op.create_index("ix_feedback_buyer_id", "feedback", ["buyer_id"])
    op.create_index("ix_feedback_supplier_id", "feedback", ["supplier_id"])
    op.create_table(
        "events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("events")
    op.drop_index("ix_feedback_supplier_id", table_name="feedback")
    op.drop_index("ix_feedback_buyer_id", table_name="feedback")
    op.drop_table("feedback")
    op.drop_table("api_keys")
    with op.batch_alter_table("requirements") as batch:
        batch.drop_index("ix_requirements_buyer_id")
        batch.drop_column("buyer_id")
