"""Prometheus metrics of the gateway (``GET /metrics``) and the middleware counting requests."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class GatewayMetrics:
    """One registry per app, so apps in one process (tests) do not share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "social_gateway_http_requests", "HTTP requests by method, route template and status",
            ["method", "route", "status"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "social_gateway_http_request_duration_seconds", "Time to the response by route",
            ["route"], registry=self.registry,
        )  # fmt: skip
        self.published = Counter(
            "social_gateway_posts",
            "Delivery outcomes by platform (published, failed, unknown, confirmed, duplicate)",
            ["platform", "outcome"], registry=self.registry,
        )  # fmt: skip
        self.stored = Gauge(
            "social_gateway_stored_posts", "Posts in the database by status at scrape time",
            ["status"], registry=self.registry,
        )  # fmt: skip


async def observe_requests(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Count each request by its route template (not its URL) and time it."""
    metrics: GatewayMetrics = request.app.state.metrics
    started = time.perf_counter()
    response = await call_next(request)
    route = getattr(request.scope.get("route"), "path", "unmatched")
    metrics.requests.labels(request.method, route, str(response.status_code)).inc()
    metrics.latency.labels(route).observe(time.perf_counter() - started)
    return response
