"""Alembic environment: run on the connection matcher.store.migrate hands over (or on a URL
given as ``sqlalchemy.url`` when alembic is driven by hand). Logging is left to the caller."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from matcher.store import Base

config = context.config
connection = config.attributes.get("connection")

if connection is not None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url, or open the workspace with matcher.store.Workspace")
    with create_engine(url).begin() as own:
        context.configure(connection=own, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
