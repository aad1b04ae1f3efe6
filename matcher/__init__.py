"""CNHT Matcher: supplier–buyer matchmaking for supporting-industry programmes."""

from __future__ import annotations

__version__ = "0.1.0"
