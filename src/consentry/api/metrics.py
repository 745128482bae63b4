"""Prometheus metrics (per worker process): requests, scans, index size, change-log position."""

from __future__ import annotations

import ipaddress
import secrets
import time

from fastapi import Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentry.config import Settings

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "consentry_http_requests", "HTTP requests", ["method", "route", "status"], registry=REGISTRY
)
LATENCY = Histogram(
    "consentry_http_request_seconds",
    "HTTP request latency",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0),
    registry=REGISTRY,
)
SCANS = Counter("consentry_scans", "Scans by verdict", ["verdict"], registry=REGISTRY)
INDEX_ENTRIES = Gauge("consentry_index_entries", "Matchable PDQ hashes indexed", registry=REGISTRY)
LOG_POSITION = Gauge("consentry_change_log_seq", "Last bank change applied", registry=REGISTRY)


class Measure:
    """Counts and times every request by route template (never the concrete path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(route).observe(time.perf_counter() - start)


def render() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def metrics_allowed(request: Request, settings: Settings) -> bool:
    """A scraper with the metrics token, or, when none is set, one on loopback."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else ""
    if token:
        sent = request.headers.get("authorization", "")
        return secrets.compare_digest(sent, f"Bearer {token}")
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
