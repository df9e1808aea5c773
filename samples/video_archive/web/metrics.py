"""Prometheus metrics of one application instance (its own registry, text format)."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "video_archive_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "video_archive_http_request_duration_seconds",
            "Time to the response headers by route template",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.failed_logins = Counter(
            "video_archive_failed_logins", "Rejected log-in attempts", registry=self.registry
        )
        self.catalog = Gauge(
            "video_archive_catalog",
            "Catalog totals at scrape time (assets, probed, quarantined, files_present, ...)",
            ["kind"],
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, started: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(time.perf_counter() - started)

    def render(self, catalog_summary: dict[str, Any]) -> tuple[bytes, str]:
        for kind, value in catalog_summary.items():
            self.catalog.labels(kind).set(float(value or 0))
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
