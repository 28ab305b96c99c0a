"""Prometheus metrics for every service, in the text format (``prometheus-client``).

``instrument(app)`` gives a FastAPI app its own registry, counts every request and times it by
route (the route's template, ``/exports/{export_id}/data``, never the raw path), method and status,
and serves ``GET /metrics``. Services add their own series to ``metrics.registry``: counters they
increment, or ``ScrapeTime`` collectors that read a value when Prometheus scrapes (a queue's size,
a count another object keeps). A worker without HTTP serves its registry with ``serve``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from threading import Thread

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import start_http_server
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Seconds: a cached answer takes a millisecond, a phrased one tens, a slow SQL query seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "unmatched"  # requests no route served (404s): one label, whatever the path


class ServiceMetrics:
    """One service's registry, with the HTTP series every service has."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ecominsight_http_requests", "HTTP requests by route, method and status",
            ["route", "method", "status"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "ecominsight_http_request_duration_seconds", "HTTP request latency by route, method and status",
            ["route", "method", "status"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip

    def add(self, read: Callable[[], Iterable[Metric]]) -> None:
        """Series read at scrape time from ``read()`` (see ``gauge`` and ``counter``)."""
        self.registry.register(ScrapeTime(read))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class ScrapeTime(Collector):
    def __init__(self, read: Callable[[], Iterable[Metric]]):
        self.read = read

    def collect(self) -> Iterator[Metric]:
        yield from self.read()

    def describe(self) -> list[Metric]:
        return []  # unknown until read: the registry does not check these names at register time


def gauge(name: str, documentation: str, value: float | None = None,
          labels: dict[str, str] | None = None) -> GaugeMetricFamily:  # fmt: skip
    family = GaugeMetricFamily(name, documentation, labels=list(labels or {}))
    if value is not None:
        family.add_metric(list((labels or {}).values()), value)
    return family


def counter(name: str, documentation: str, value: float, labels: dict[str, str] | None = None) -> CounterMetricFamily:
    family = CounterMetricFamily(name, documentation, labels=list(labels or {}))
    family.add_metric(list((labels or {}).values()), value)
    return family


def route_of(scope: Scope) -> str:
    """The matched route's template, behind the path of the mount it is in (``/mcp/``)."""
    root, app_root = scope.get("root_path") or "", scope.get("app_root_path") or ""
    mount = root[len(app_root):] if root.startswith(app_root) else ""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return mount + path
    return mount or UNMATCHED


class _Middleware:
    def __init__(self, app: ASGIApp, metrics: ServiceMetrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless a response starts: an exception escaped every handler

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            labels = (route_of(scope), scope.get("method", ""), str(status))
            self.metrics.requests.labels(*labels).inc()
            self.metrics.latency.labels(*labels).observe(time.perf_counter() - started)


def instrument(app: FastAPI) -> ServiceMetrics:
    """Count and time ``app``'s requests (call it after the other middleware: it must be the
    outermost to see their answers too) and serve ``GET /metrics``."""
    metrics = ServiceMetrics()
    app.add_middleware(_Middleware, metrics=metrics)

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return metrics


def serve(metrics: ServiceMetrics, host: str, port: int) -> Thread:
    """Serve ``metrics`` on ``host:port`` (every path) from a daemon thread: for workers."""
    _server, thread = start_http_server(port, addr=host, registry=metrics.registry)
    return thread
