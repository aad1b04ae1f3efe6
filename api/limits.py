"""Limits that keep one client from hurting the others: a request-body cap (413), a cap on
requests in progress (503), a per-key token-bucket rate limit (429), bounded records (422) and
a bounded wait for the one writer of an index (503). Uploads: api/uploads.py."""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.errors import Problem


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


def _start(status: int, headers: dict[str, str] | None = None) -> Message:
    return {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            *((k.encode(), v.encode()) for k, v in (headers or {}).items()),
        ],
    }


async def _send_error(
    send: Send, status: int, detail: str, headers: dict[str, str] | None = None
) -> None:
    await send(_start(status, headers))
    body = json.dumps({"detail": detail, "problems": []}).encode()
    await send({"type": "http.response.body", "body": body})


class LimitsMiddleware:
    """Body cap and concurrency cap, before any route runs (pure ASGI: no body buffering)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_concurrency: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_concurrency = max_concurrency
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_body_bytes:
                    await _send_error(
                        send, 413, f"request body larger than {self.max_body_bytes} bytes"
                    )
                    return
        if self.in_flight >= self.max_concurrency:
            await _send_error(send, 503, "too many requests in progress", {"Retry-After": "1"})
            return
        self.in_flight += 1
        received = 0

        async def counted() -> Message:
            # A chunked body has no Content-Length: count what arrives.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        try:
            await self.app(scope, counted, send)
        finally:
            self.in_flight -= 1


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Token buckets per key: ``rate`` tokens a second, at most ``burst`` saved up."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Take a token; returns 0 when allowed, else the seconds until one is available."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.setdefault(key, _Bucket(self.burst, now))
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    @staticmethod
    def retry_after(seconds: float) -> str:
        return str(max(1, math.ceil(seconds)))


# -- one record --------------------------------------------------------------------------------
def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def record_problems(
    record: BaseModel,
    max_text_chars: int,
    max_list_items: int,
    source: str = "request",
    label: str = "",
) -> list[Problem]:
    """Each text of ``record`` at most ``max_text_chars`` and valid text (a lone surrogate, which
    JSON can carry, is not: no database or file can hold it), each list at most
    ``max_list_items``; one problem per field, naming it. ``label`` prefixes messages (an id)."""
    problems: list[Problem] = []
    if not _is_text(label):  # an id is echoed back: it must survive the JSON answer
        label = label.encode("utf-8", "backslashreplace").decode("utf-8")

    def problem(field: str, message: str) -> None:
        problems.append(Problem(source, None, field, f"{label}{field}: {message}"))

    def check(value: Any, field: str) -> None:
        if isinstance(value, str):
            if len(value) > max_text_chars:
                problem(field, f"{len(value):,} characters; at most {max_text_chars:,}")
            elif not _is_text(value):
                problem(field, "holds a lone surrogate (not text)")
        elif isinstance(value, list | dict):
            if len(value) > max_list_items:
                what = "items" if isinstance(value, list) else "entries"
                problem(field, f"{len(value):,} {what}; at most {max_list_items:,}")
                return
            if isinstance(value, list):
                for item in value:
                    check(item, field)
            else:
                for key, item in value.items():
                    check(key, field)
                    check(item, f"{field}.{key}" if _is_text(str(key)) else field)

    for name in type(record).model_fields:
        check(getattr(record, name), name)
    return problems
