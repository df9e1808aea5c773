"""Prometheus metrics of one application instance (its own registry, text format)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from samples.video_archive.search.query_vectors import QueryVectors
from samples.video_archive.search.ranking_cache import RankingCache


class SearchCacheCollector(Collector):
    """The search path's caches, read at scrape time: rankings, and query vectors (those
    only once the embedder has loaded)."""

    def __init__(
        self, query_vectors: Callable[[], QueryVectors | None], rankings: RankingCache | None
    ) -> None:
        self._query_vectors = query_vectors
        self._rankings = rankings

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        caches = {"query_vector": self._query_vectors(), "ranking": self._rankings}
        for name, cache in caches.items():
            if cache is None:
                continue
            what = name.replace("_", " ")
            yield CounterMetricFamily(
                f"video_archive_{name}_cache_hits",
                f"Searches whose {what} came from the cache",
                value=cache.hits,
            )
            yield CounterMetricFamily(
                f"video_archive_{name}_cache_misses",
                f"Searches whose {what} was computed",
                value=cache.misses,
            )
            yield GaugeMetricFamily(
                f"video_archive_{name}_cache_entries",
                f"Entries in the {what} cache",
                value=len(cache),
            )


class GraphSearchCollector(Collector):
    """Vector searches the semantic graph answered, read at scrape time (only once the
    index is open and has a graph; the others LanceDB's own index or scan answered)."""

    def __init__(self, graph_searches: Callable[[], int | None]) -> None:
        self._graph_searches = graph_searches

    def collect(self) -> Iterator[CounterMetricFamily]:
        served = self._graph_searches()
        if served is not None:
            yield CounterMetricFamily(
                "video_archive_semantic_graph_searches",
                "Unfiltered vector searches the semantic graph answered",
                value=served,
            )


class Metrics:
    def __init__(
        self,
        query_vectors: Callable[[], QueryVectors | None] = lambda: None,
        rankings: RankingCache | None = None,
        graph_searches: Callable[[], int | None] = lambda: None,
    ) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(SearchCacheCollector(query_vectors, rankings))
        self.registry.register(GraphSearchCollector(graph_searches))
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
