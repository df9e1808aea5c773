"""The search part of the video archive benchmarks (run through bench/video_archive.py).

Hybrid search (query embedding + LanceDB + catalog join) over generated catalogue items,
every query distinct (no embedding cache hit), against a numpy dot-product scan over the
same vectors and LanceDB's exact scan; also the recall@10 of the ANN index against the
exact answer, the cost of building it and of folding new rows into it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

from samples.video_archive.catalog import Catalog, open_catalog
from tests.postgres_server import EphemeralPostgres

console = Console()
WORDS = [
    "harbour", "ferry", "sunset", "mountain", "hike", "birthday", "market", "tram", "beach",
    "drone", "city", "night", "rain", "snow", "forest", "river", "wedding", "concert",
    "football", "kitchen", "garden", "train", "bridge",
]  # fmt: skip
UPSERT_BATCH = 10_000


@dataclass
class Corpus:
    """Realistic, non-identical vectors without one model call per row: real embeddings of
    a few hundred texts, each row one of them plus a little noise."""

    texts: list[str]
    choice: np.ndarray  # row -> index into texts
    vectors: np.ndarray  # unit rows

    def text(self, row: int) -> str:
        return self.texts[self.choice[row]]


def _percentiles(seconds: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(float(np.percentile(seconds, 50)) * 1000, 2),
        "p95_ms": round(float(np.percentile(seconds, 95)) * 1000, 2),
    }


def _corpus(embedder: Any, rng: np.random.Generator, items: int) -> Corpus:
    texts = [" ".join(rng.choice(WORDS, 4)) for _ in range(512)]
    base = embedder.embed(texts)
    choice = rng.integers(0, len(base), items)
    vectors = base[choice] + rng.normal(0, 0.02, (items, base.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return Corpus(texts, choice, vectors)


def _catalogue(pg: EphemeralPostgres, corpus: Corpus) -> Catalog:
    catalog = open_catalog(pg.create_database("bench_search"))
    console.log(f"cataloguing {len(corpus.choice)} items")
    with (
        catalog.conn.cursor() as cur,
        cur.copy(
            "COPY assets (id, fingerprint, size_bytes, status, duration_s, width, height, "
            "video_codec, title) FROM STDIN"
        ) as copy,
    ):
        for i in range(len(corpus.choice)):
            copy.write_row(
                (i + 1, f"fp1:bench:{i}", 1000, "probed", 10.0, 1920, 1080, "h264", corpus.text(i))
            )
    catalog.commit()
    return catalog


def _index(corpus: Corpus, index_dir: Path) -> tuple[Any, dict[str, Any]]:
    """Index all but the last rows, optimise (what a gold run does after its upserts), then
    add the rest and fold them in; the figures of both steps."""
    from samples.video_archive.indexing.backends import IndexedAsset
    from samples.video_archive.indexing.backends.lancedb import LanceDBIndex

    def asset(i: int) -> IndexedAsset:
        text = corpus.text(i)
        return IndexedAsset(i + 1, corpus.vectors[i], text, text, 10.0, "h264", 1080, ("bench",))

    items = len(corpus.choice)
    index = LanceDBIndex(index_dir, dimension=corpus.vectors.shape[1])
    late = min(1_000, items // 10)  # rows that arrive after the index was built
    console.log(f"indexing {items - late} vectors")
    for start in range(0, items - late, UPSERT_BATCH):
        index.upsert([asset(i) for i in range(start, min(start + UPSERT_BATCH, items - late))])
    build_start = time.perf_counter()
    built = index.optimize()
    build = time.perf_counter() - build_start
    console.log(f"vector index: {built.vector_index} in {build:.1f} s; adding {late} rows")
    index.upsert([asset(i) for i in range(items - late, items)])
    fold_start = time.perf_counter()
    folded = index.optimize()
    fold = time.perf_counter() - fold_start
    assert folded.unindexed_rows == 0, folded
    return index, {
        "vector_index": built.vector_index,
        "vector_index_build_seconds": round(build, 1),
        "vector_index_fold_in_rows": late,
        "vector_index_fold_in_seconds": round(fold, 2),
    }


def _distinct_queries(rng: np.random.Generator, queries: int) -> tuple[list[str], list[str]]:
    """Two sets of distinct queries: none is served from the embedder's cache when timed."""
    seen: set[str] = set()
    while len(seen) < 2 * queries:
        seen.add(" ".join(rng.choice(WORDS, 3)))
    distinct = sorted(seen)
    rng.shuffle(distinct)
    return distinct[:queries], distinct[queries:]


def _time_queries(
    catalog: Catalog, index: Any, embedder: Any, query_texts: list[str], fresh_texts: list[str]
) -> tuple[dict[str, list[float]], list[float]]:
    """ "search" is the search path's hybrid mode end to end (samples/video_archive/search);
    the parts are the same three steps timed one by one on another distinct query (so none
    of them meets a warm cache), plus the vector of a repeated query (served by the query
    vector cache) and a vector-only index query for comparison. Returns the timings and the
    load average around them."""
    from samples.video_archive.config import Settings
    from samples.video_archive.search import Filters, SemanticBackend, run_search
    from samples.video_archive.search.catalog_queries import ranked_cards

    backend = SemanticBackend(Settings(), embedder=embedder, index=index)
    vectors, _ = backend.get()

    def search(q: str) -> list:
        return run_search(catalog.conn, backend, q, "hybrid", Filters(), limit=10).items

    for q in ("warm up one", "warm up two", "warm up three"):  # first-call costs, untimed
        search(q)
    timings: dict[str, list[float]] = {
        name: []
        for name in (
            "search", "embedding", "index_hybrid", "catalog_rows", "embedding_cached",
            "index_vector_only",
        )
    }  # fmt: skip

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = fn()
        timings[name].append(time.perf_counter() - start)
        return value

    load_during = [os.getloadavg()[0]]
    for q, fresh in zip(query_texts, fresh_texts, strict=True):
        results = timed("search", lambda q=q: search(q))
        assert results
        qv = timed("embedding", lambda fresh=fresh: embedder.embed([fresh])[0])
        hits = timed("index_hybrid", lambda qv=qv, fresh=fresh: index.search(qv, fresh, limit=10))
        timed(
            "catalog_rows",
            lambda hits=hits: ranked_cards(
                catalog.conn, [h.asset_id for h in hits], Filters(), limit=10
            ),
        )
        timed("embedding_cached", lambda q=q: vectors.vector(q))
        timed("index_vector_only", lambda qv=qv: index.search(qv, limit=10))
    load_during.append(os.getloadavg()[0])
    return timings, load_during


def _baselines(index: Any, vectors: np.ndarray, query_vectors: np.ndarray) -> dict[str, Any]:
    """numpy's and LanceDB's exact scans over the same vectors, and the ANN index's recall.

    The vectors are ~200 noisy copies of each of 512 embeddings, so the exact top 10 is
    often a tie-break among near-equal distances; the similarity gap says how much worse
    the ANN's 10 really are.
    """
    numpy_latencies, exact_ids = [], []
    for qv in query_vectors:
        start = time.perf_counter()
        top = np.argpartition(-(vectors @ qv), 10)[:10]
        numpy_latencies.append(time.perf_counter() - start)
        exact_ids.append({int(i) + 1 for i in top})
    flat_latencies = []
    for qv in query_vectors[:30]:
        start = time.perf_counter()
        index._table.search(qv).distance_type("cosine").bypass_vector_index().select(
            ["asset_id", "_distance"]
        ).limit(10).to_arrow()
        flat_latencies.append(time.perf_counter() - start)
    recalls, gaps = [], []
    for qv, exact in zip(query_vectors, exact_ids, strict=True):
        found = [h.asset_id for h in index.search(qv, limit=10)]
        recalls.append(len(exact & set(found)) / 10)
        exact_sim = float(np.mean([vectors[i - 1] @ qv for i in exact]))
        found_sim = float(np.mean([vectors[i - 1] @ qv for i in found]))
        gaps.append(exact_sim - found_sim)
    return {
        "numpy_scan_p95_s": float(np.percentile(numpy_latencies, 95)),
        "lancedb_exact_scan_p95_ms": round(float(np.percentile(flat_latencies, 95)) * 1000, 1),
        "vector_recall_at_10": round(float(np.mean(recalls)), 3),
        "vector_top10_mean_similarity_gap": round(float(np.mean(gaps)), 4),
    }


def bench_search(pg: EphemeralPostgres, items: int, queries: int) -> dict:
    from samples.video_archive.indexing.embeddings import MiniLMEmbedder

    rng = np.random.default_rng(7)
    embedder = MiniLMEmbedder()
    embedder.warm()
    corpus = _corpus(embedder, rng, items)
    catalog = _catalogue(pg, corpus)
    index_dir = Path(tempfile.mkdtemp(prefix="va-bench-index-"))
    index, index_figures = _index(corpus, index_dir)
    query_texts, fresh_texts = _distinct_queries(rng, queries)
    timings, load_during = _time_queries(catalog, index, embedder, query_texts, fresh_texts)
    baselines = _baselines(index, corpus.vectors, embedder.embed(query_texts))
    catalog.close()
    shutil.rmtree(index_dir)
    p95 = float(np.percentile(timings["search"], 95))
    numpy_p95 = baselines.pop("numpy_scan_p95_s")
    return {
        "search_items": items,
        "search_queries": queries,
        "search_p50_ms": round(float(np.percentile(timings["search"], 50)) * 1000, 1),
        "search_p95_ms": round(p95 * 1000, 1),
        "search_parts_ms": {name: _percentiles(values) for name, values in timings.items()},
        "numpy_scan_p95_ms": round(numpy_p95 * 1000, 1),
        "lancedb_exact_scan_p95_ms": baselines["lancedb_exact_scan_p95_ms"],
        "search_p95_vs_numpy_scan": round(p95 / numpy_p95, 2),
        "vector_recall_at_10": baselines["vector_recall_at_10"],
        "vector_top10_mean_similarity_gap": baselines["vector_top10_mean_similarity_gap"],
        **index_figures,
        "load_average_during_search_queries": [round(v, 1) for v in load_during],
    }
