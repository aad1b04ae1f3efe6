"""Alembic migrations of the workspace database, run by matcher.store.migrate on open."""
