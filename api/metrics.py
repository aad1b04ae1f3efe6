"""Prometheus metrics per app (a registry of its own, so several apps can live in one process):
requests by route template, method and status, and their latency."""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.services.index import SearchIndex


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "matcher_http_requests",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "matcher_http_request_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
            registry=self.registry,
        )
        self.in_progress = Gauge(
            "matcher_http_requests_in_progress", "Requests being answered", registry=self.registry
        )

    def watch(self, index: SearchIndex) -> None:
        """Report the index's health with every scrape."""
        self.registry.register(IndexCollector(index))


class IndexCollector(Collector):
    """The search index's health at scrape time: ready or not, and versions that failed to load
    (a corrupt one is refused while the last good version keeps serving)."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    def collect(self) -> Iterator[Metric]:
        health = self.index.health()
        yield GaugeMetricFamily(
            "matcher_index_ready", "1 when the index answers searches", value=float(health.ready)
        )
        yield GaugeMetricFamily(
            "matcher_index_fault",
            "1 while the newest index version is unusable (see /readyz for the reason)",
            value=float(health.fault is not None),
        )
        yield CounterMetricFamily(
            "matcher_index_load_failures",
            "Index versions that failed to load since the process started",
            value=health.load_failures,
        )
        info = InfoMetricFamily("matcher_index", "The index version serving")
        info.add_metric([], {"version": health.version or ""})
        yield info


class MetricsMiddleware:
    """Counts every answer, including those of the limits (413, 429, 503)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sent(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        self.metrics.in_progress.inc()
        try:
            await self.app(scope, receive, sent)
        finally:
            self.metrics.in_progress.dec()
            # The route's template, never the concrete path: ids are unbounded (and may be
            # personal), templates are few.
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope.get("method", "")
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - start)
