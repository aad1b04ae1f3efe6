"""The FastAPI service over matcher/ (see issue: matching service). Importable, not yet serving."""

from __future__ import annotations
