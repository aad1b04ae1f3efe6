"""The service's own settings (limits, CORS); env prefix MATCHER_API_ (e.g.
MATCHER_API_CORS_ORIGINS='["https://fair.example.org"]'). The engine's settings stay in
matcher.config.Settings."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Fixed rather than configurable: the cap is part of the OpenAPI schema (page_size ≤ this).
MAX_PAGE_SIZE = 200
MAX_TOP_K = 100


class ApiSettings(BaseSettings):
    """Limits and CORS of the HTTP service."""

    model_config = SettingsConfigDict(env_prefix="MATCHER_API_", env_nested_delimiter="__")

    # Browsers may call the API only from these origins; none by default (same origin only).
    cors_origins: list[str] = []
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    # Per API key: a token bucket refilled at rate_per_minute / 60 a second, holding rate_burst.
    rate_per_minute: float = Field(default=600.0, gt=0)
    rate_burst: int = Field(default=60, ge=1)
    # Requests in progress at once beyond which new ones get 503 (the engine is CPU bound).
    max_concurrency: int = Field(default=32, ge=1)
    # Event plans solve in the request; the solver's time limit is capped at this.
    max_plan_seconds: float = Field(default=60.0, gt=0)

    # Uploads (api/uploads.py): sizes checked before any parsing, then one parse per worker
    # process, killed past its time or when the client leaves. An XLSX is a zip: its directory
    # says what it unpacks to, so a zip bomb is refused without unpacking anything.
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_upload_unpacked_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    # Real sheets pack 5-20 times; zip bombs hundreds to a thousand times.
    max_upload_ratio: float = Field(default=100.0, gt=1)
    upload_seconds: float = Field(default=60.0, gt=0)
    # Address space a parse may add to the worker's own (openpyxl holds ~20x the sheet's XML).
    upload_memory_bytes: int = Field(default=1024 * 1024 * 1024, ge=16 * 1024 * 1024)
    upload_workers: int = Field(default=2, ge=1)
    # One record written through the API (POST/PUT /v1/suppliers, an import's rows): each text
    # (a description, a list item, an extra column's value) at most max_text_chars, each list
    # at most max_list_items. Bounded text bounds the time its embedding takes.
    max_text_chars: int = Field(default=10_000, ge=100)
    max_list_items: int = Field(default=200, ge=1)
    # Writes to the index go one at a time; one waiting longer than this gets 503 Retry-After.
    write_wait_seconds: float = Field(default=10.0, gt=0)
