"""The MiniLM embedder's single-text cache: a repeated query is served from memory, the
vector is the one the model gives, and a caller cannot alter what the cache holds."""

from __future__ import annotations

import time

import numpy as np
import pytest

from samples.video_archive.indexing.embeddings import minilm

pytest.importorskip("sentence_transformers", reason="the embedder's libraries are not installed")
pytestmark = pytest.mark.slow


def test_repeated_query_is_cached_and_equal_to_a_fresh_embedding() -> None:
    embedder = minilm.MiniLMEmbedder()
    embedder.warm()
    query = "ferry leaving the harbour at dusk"
    minilm._query_cache.pop(query, None)
    start = time.perf_counter()
    first = embedder.embed([query])
    model_run = time.perf_counter() - start
    start = time.perf_counter()
    again = embedder.embed([query])
    cached = time.perf_counter() - start
    assert query in minilm._query_cache
    np.testing.assert_array_equal(first, again)
    # Same vector as the batch path, which never touches the cache.
    batch = embedder.embed([query, "something else"])
    np.testing.assert_allclose(first[0], batch[0], atol=1e-5)
    assert cached < model_run
    again[0, :] = 0.0  # the caller owns its copy
    np.testing.assert_array_equal(embedder.embed([query]), first)


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minilm, "QUERY_CACHE_SIZE", 2)
    embedder = minilm.MiniLMEmbedder()
    for text in ("one", "two", "three"):
        embedder.embed([text])
    assert len(minilm._query_cache) <= 2
    assert "one" not in minilm._query_cache
