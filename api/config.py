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
