"""The search path's caches. Query vectors: a repeated query is not embedded again, the
cache is bounded (least recently used first out), callers own their copies. Rankings:
kept for a while, then recomputed; cleared at once. Both counted in the web metrics."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pytest
from prometheus_client import generate_latest

from samples.video_archive.search.query_vectors import QueryVectors
from samples.video_archive.search.ranking_cache import Ranking, RankingCache
from samples.video_archive.web.metrics import Metrics


class CountingEmbedder:
    name, dimension = "counting", 3

    def __init__(self) -> None:
        self.calls: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.extend(texts)
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)


def test_a_repeated_query_is_served_from_the_cache() -> None:
    embedder = CountingEmbedder()
    cache = QueryVectors(embedder)
    first = cache.vector("ferry at dusk")
    again = cache.vector("ferry at dusk")
    np.testing.assert_array_equal(first, again)
    assert embedder.calls == ["ferry at dusk"]
    assert (cache.hits, cache.misses) == (1, 1)


def test_the_cache_is_bounded_and_forgets_the_least_recently_used() -> None:
    embedder = CountingEmbedder()
    cache = QueryVectors(embedder, size=2)
    cache.vector("one")
    cache.vector("two")
    cache.vector("one")  # now the most recent
    cache.vector("three")  # evicts "two"
    assert len(cache) == 2
    cache.vector("one")
    cache.vector("two")
    assert embedder.calls == ["one", "two", "three", "two"]


def test_a_caller_cannot_change_what_the_cache_holds() -> None:
    cache = QueryVectors(CountingEmbedder())
    vector = cache.vector("harbour")
    vector[:] = 0.0
    assert cache.vector("harbour")[0] == len("harbour")


def test_the_counters_are_in_the_metrics_once_the_embedder_is_loaded() -> None:
    holder: list[QueryVectors | None] = [None]
    metrics = Metrics(lambda: holder[0], RankingCache())
    assert b"query_vector_cache" not in generate_latest(metrics.registry)
    assert b"ranking_cache_misses_total 0.0" in generate_latest(metrics.registry)
    holder[0] = QueryVectors(CountingEmbedder())
    holder[0].vector("a")
    holder[0].vector("a")
    text = generate_latest(metrics.registry).decode()
    assert "video_archive_query_vector_cache_hits_total 1.0" in text
    assert "video_archive_query_vector_cache_misses_total 1.0" in text
    assert "video_archive_query_vector_cache_entries 1.0" in text


def test_a_ranking_is_kept_for_its_time_to_live_then_recomputed() -> None:
    now = [0.0]
    cache = RankingCache(ttl_s=30, clock=lambda: now[0])
    ranking = Ranking((3, 1, 2), (0.9, 0.5, 0.1), 3)
    cache.put(("semantic", "harbour"), ranking)
    now[0] = 29.0
    assert cache.get(("semantic", "harbour")) == ranking
    now[0] = 30.5
    assert cache.get(("semantic", "harbour")) is None
    assert (cache.hits, cache.misses) == (1, 1)
    assert len(cache) == 0


def test_rankings_are_bounded_and_cleared_at_once() -> None:
    cache = RankingCache(size=2)
    for key in ("a", "b", "c"):
        cache.put(key, Ranking((1,), (None,), 1))
    assert cache.get("a") is None
    assert cache.get("c") is not None
    cache.clear()
    assert cache.get("c") is None


def test_misses_that_arrive_while_the_model_runs_share_its_next_call() -> None:
    import threading

    release = threading.Event()
    started = threading.Event()

    class SlowEmbedder(CountingEmbedder):
        def __init__(self) -> None:
            super().__init__()
            self.batches: list[list[str]] = []

        def embed(self, texts: Sequence[str]) -> np.ndarray:
            self.batches.append(list(texts))
            started.set()
            release.wait(10)
            return super().embed(texts)

    embedder = SlowEmbedder()
    cache = QueryVectors(embedder)
    results: dict[str, np.ndarray] = {}

    def ask(query: str) -> None:
        results[query] = cache.vector(query)

    first = threading.Thread(target=ask, args=("first",))
    first.start()
    assert started.wait(10)
    others = [threading.Thread(target=ask, args=(q,)) for q in ("ab", "abc")]
    for thread in others:
        thread.start()
    deadline = time.monotonic() + 10
    while len(cache._waiting) < 2:  # both distinct queries are queued behind the model
        assert time.monotonic() < deadline, "the other queries never queued"
        time.sleep(0.01)
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert embedder.batches == [["first"], ["ab", "abc"]]
    assert {q: v[0] for q, v in results.items()} == {"first": 5, "ab": 2, "abc": 3}


def test_a_model_error_reaches_every_waiting_caller() -> None:
    class Broken(CountingEmbedder):
        def embed(self, texts: Sequence[str]) -> np.ndarray:
            raise ImportError("No module named 'sentence_transformers'")

    cache = QueryVectors(Broken())
    with pytest.raises(ImportError):
        cache.vector("harbour")
    with pytest.raises(ImportError):  # and the next caller runs the model again
        cache.vector("harbour")
