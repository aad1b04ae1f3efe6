"""schemathesis against the app's own OpenAPI schema, in process (ASGI, no network): no server
error and no answer outside the documented status codes, content types and schemas."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from api.app import create_app
from api.config import ApiSettings
from matcher.config import Settings
from matcher.jobs import ingest_file
from matcher.store import Workspace
from tests.conftest import DATA

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def _app() -> tuple[Any, str]:
    # Built at import: schemathesis parametrizes from the schema at collection time.
    root = Path(tempfile.mkdtemp(prefix="matcher-schema-"))
    saved = os.environ.get("MATCHER_CACHE_DIR")
    os.environ["MATCHER_CACHE_DIR"] = str(root / "cache")  # never the user's ~/.cache
    try:
        ingest_file(root, "suppliers", DATA / "suppliers_3.csv")
        ingest_file(root, "requirements", DATA / "requirements_3.csv")
        _, admin = Workspace(root).create_api_key("admin")
        engine = Settings()
        engine.embed.encoder = "hashing"
        # The rate limit is tested on its own; here it would only turn answers into 429s.
        app = create_app(root, engine, ApiSettings(rate_per_minute=1e9, rate_burst=10**9))
    finally:
        if saved is None:
            os.environ.pop("MATCHER_CACHE_DIR", None)
        else:
            os.environ["MATCHER_CACHE_DIR"] = saved
    return app, admin


APP, ADMIN = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"X-API-Key": ADMIN}, checks=CHECKS)
