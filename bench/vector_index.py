"""The semantic index alone: recall@10 and latency of its ANN settings over many vectors.
Run with `make bench-vector-index` (1,000,000 x 384 by default; a few minutes per build on
2 cores).

The vectors are synthetic, not embeddings: unit vectors around random cluster centres, so
that each one's nearest neighbours are a few of its cluster's many members, told apart by
their noise, as among embeddings of similar clips. The queries are drawn the same way and
are not in the table. For each candidate of the sweep (bench.vector_index.SWEEP) the index
is built once through the archive's own LanceDBIndex (in a child process, for its peak
memory), then searched with each query setting through LanceDBIndex.search, the path the
web and the CLI use. In the same run:
  exact answer   numpy's dot product over all vectors (the ground truth), and its p95;
  LanceDB scan   LanceDB's exact scan (no index) p95;
  upkeep         the settings searches use (ann.CHOSEN) built over half the vectors,
                 then the rest added in steps and folded in without retraining, as a gold
                 run does: recall after each step, so the retrain threshold
                 (ANN_RETRAIN_GROWTH) is measured.
The report names the fastest (p95) candidate with recall@10 >= TARGET_RECALL on these
vectors, and the figures of ann.CHOSEN, which also weighs the archive's real embeddings
(bench/web_search.py). Results go to bench/results/vector_index.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from rich.console import Console
from rich.progress import track
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from samples.video_archive.indexing.backends.ann import CHOSEN, AnnSettings  # noqa: E402
from samples.video_archive.indexing.backends.lancedb import (  # noqa: E402
    DEFAULT_TABLE,
    LanceDBIndex,
    _schema,
)

# Index statistics without the centroids (the coming default; silences a warning per call).
os.environ.setdefault("LANCE_INCLUDE_VECTOR_CENTROIDS", "false")
console = Console()
TARGET_RECALL = 0.95
TARGET_P95_MS = 10.0
K = 10
CHUNK = 100_000
HNSW = AnnSettings(kind="ivf_hnsw_sq", m=16, ef_construction=100)
PQ = AnnSettings(kind="ivf_pq")
# Each build, then the query settings tried on it.
SWEEP: list[tuple[AnnSettings, list[dict[str, Any]]]] = [
    (
        HNSW,
        [
            {"nprobes": n, "ef": ef, "refine_factor": r}
            for n in (10, 40)
            for ef in (100, 200, 400, 600)
            for r in (1, 3)
        ],
    ),
    (
        PQ,
        [{"nprobes": n, "refine_factor": r} for n in (20, 50) for r in (10, 30, 60)],
    ),
]


def synthetic(rng: np.random.Generator, rows: int, dim: int, centres: np.ndarray) -> np.ndarray:
    """Unit vectors, each its cluster centre plus noise of about the same length."""
    out = np.empty((rows, dim), dtype=np.float32)
    for start in range(0, rows, CHUNK):
        n = min(CHUNK, rows - start)
        picked = centres[rng.integers(0, len(centres), n)]
        noisy = picked + rng.normal(0, 1 / np.sqrt(dim), (n, dim)).astype(np.float32)
        out[start : start + n] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    return out


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """How many synthetic vectors and queries, of what dimension, around how many centres."""
    parser.add_argument("--vectors", type=int, default=1_000_000)
    parser.add_argument("--dimension", type=int, default=384)
    parser.add_argument("--clusters", type=int, default=2_000)
    parser.add_argument("--queries", type=int, default=300)


def synthetic_data(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    """The vectors and queries of add_data_arguments' sizes, from a fixed seed: every bench
    that calls this with the same sizes measures the same data."""
    rng = np.random.default_rng(11)
    centres = rng.normal(0, 1, (args.clusters, args.dimension)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    console.log(f"generating {args.vectors:,} x {args.dimension} synthetic vectors")
    vectors = synthetic(rng, args.vectors, args.dimension, centres)
    return vectors, synthetic(rng, args.queries, args.dimension, centres)


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int = K) -> tuple[np.ndarray, float]:
    """The true k nearest (by cosine) asset ids of each query, and numpy's p95 per query."""
    tops, seconds = [], []
    for q in queries:
        start = time.perf_counter()
        sims = vectors @ q
        top = np.argpartition(-sims, k)[:k]
        seconds.append(time.perf_counter() - start)
        tops.append(top + 1)  # asset ids start at 1
    return np.array(tops), float(np.percentile(seconds, 95))


def append(table: Any, vectors: np.ndarray, first_id: int = 1) -> None:
    """Rows of the archive's schema holding only ids and vectors, appended in chunks (an
    upsert of whole assets would spend minutes turning a million vectors into lists)."""
    schema = _schema(vectors.shape[1])
    for start in range(0, len(vectors), CHUNK):
        part = vectors[start : start + CHUNK]
        ids = pa.array(np.arange(first_id + start, first_id + start + len(part)), pa.int64())
        flat = pa.FixedSizeListArray.from_arrays(pa.array(part.ravel()), vectors.shape[1])
        columns = {name: pa.nulls(len(part), schema.field(name).type) for name in schema.names}
        columns.update(asset_id=ids, vector=flat)
        table.add(pa.table(columns, schema=schema))


def _build(path: str, dim: int, settings: AnnSettings) -> tuple[float, float]:
    """In a child process: build the index; its seconds and the process's peak RSS (MB)."""
    index = LanceDBIndex(path, dimension=dim, ann=settings)
    start = time.perf_counter()
    index.build_vector_index()
    seconds = time.perf_counter() - start
    return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(path: Path, dim: int, settings: AnnSettings) -> tuple[float, float]:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_build, (str(path), dim, settings))


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def measure(
    index: LanceDBIndex, queries: np.ndarray, truth: np.ndarray, label: str
) -> dict[str, float]:
    """recall@10 against the exact answer and the latency of LanceDBIndex.search."""
    for q in queries[:10]:  # first-call costs, untimed
        index.search(q, limit=K)
    seconds, recalls = [], []
    for q, true in track(
        list(zip(queries, truth, strict=True)), description=label, console=console
    ):
        start = time.perf_counter()
        hits = index.search(q, limit=K)
        seconds.append(time.perf_counter() - start)
        recalls.append(len({h.asset_id for h in hits} & set(true.tolist())) / K)
    return {
        "recall_at_10": round(float(np.mean(recalls)), 4),
        "p50_ms": round(float(np.percentile(seconds, 50)) * 1000, 2),
        "p95_ms": round(float(np.percentile(seconds, 95)) * 1000, 2),
    }


def lancedb_scan_p95_ms(index: LanceDBIndex, queries: np.ndarray) -> float:
    seconds = []
    for q in queries[:30]:
        start = time.perf_counter()
        index._table.search(q).distance_type("cosine").bypass_vector_index().select(
            ["asset_id", "_distance"]
        ).limit(K).to_arrow()
        seconds.append(time.perf_counter() - start)
    return round(float(np.percentile(seconds, 95)) * 1000, 1)


def sweep(
    work: Path, vectors: np.ndarray, queries: np.ndarray, truth: np.ndarray
) -> tuple[list[dict[str, Any]], float]:
    dim = vectors.shape[1]
    path = work / "sweep"
    console.log(f"writing {len(vectors):,} vectors")
    empty = LanceDBIndex(path, dimension=dim)
    append(empty._table, vectors)
    scan_p95 = lancedb_scan_p95_ms(empty, queries)
    console.log(f"LanceDB exact scan p95 {scan_p95} ms")
    results = []
    for settings, variants in SWEEP:
        console.log(f"building {settings.describe()}")
        indices = path / f"{DEFAULT_TABLE}.lance" / "_indices"
        before_mb = dir_mb(indices) if indices.exists() else 0.0  # replaced ones stay on disk
        seconds, peak_mb = build(path, dim, settings)
        size_mb = dir_mb(indices) - before_mb
        console.log(f"built in {seconds:.0f} s, peak RSS {peak_mb:.0f} MB, {size_mb:.0f} MB")
        index = LanceDBIndex(path, dimension=dim, ann=settings)
        for variant in variants:
            index.ann = replace(settings, **variant)
            figures = measure(index, queries, truth, str(variant))
            results.append(
                {
                    "settings": index.ann.describe(),
                    "build_seconds": round(seconds, 1),
                    "build_peak_rss_mb": round(peak_mb),
                    "index_mb": round(size_mb),
                    **figures,
                    "p95_vs_lancedb_exact_scan": round(figures["p95_ms"] / scan_p95, 3),
                }
            )
    return results, scan_p95


def upkeep(
    work: Path, vectors: np.ndarray, queries: np.ndarray, settings: AnnSettings
) -> list[dict[str, Any]]:
    """Build over half, then fold in the rest a tenth of the total at a time."""
    dim, rows = vectors.shape[1], len(vectors)
    path, half, step = work / "upkeep", rows // 2, rows // 10
    append(LanceDBIndex(path, dimension=dim)._table, vectors[:half])
    seconds, _ = build(path, dim, settings)
    index = LanceDBIndex(path, dimension=dim, ann=settings)
    truth, _ = exact_top(vectors[:half], queries)
    steps: list[dict[str, Any]] = [
        {"rows": half, "growth": 1.0, "build_seconds": round(seconds, 1)}
    ]
    steps[0].update(measure(index, queries, truth, f"{half:,} rows, just built"))
    for end in range(half + step, rows + 1, step):
        append(index._table, vectors[end - step : end], first_id=end - step + 1)
        start = time.perf_counter()
        maintenance = index.optimize()
        fold = time.perf_counter() - start
        truth, _ = exact_top(vectors[:end], queries)
        entry = {
            "rows": end,
            "growth": round(end / half, 2),
            "maintenance": maintenance.vector_index,
            "fold_in_seconds": round(fold, 1),
        }
        entry.update(measure(index, queries, truth, f"{end:,} rows after fold-in"))
        steps.append(entry)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--no-upkeep", action="store_true", help="skip the fold-in part")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/vector_index.json")
    args = parser.parse_args()

    vectors, queries = synthetic_data(args)
    load_before = os.getloadavg()[0]
    truth, numpy_p95 = exact_top(vectors, queries)
    console.log(f"numpy exact answer p95 {numpy_p95 * 1000:.1f} ms per query")
    work = Path(tempfile.mkdtemp(prefix="vector-index-bench-", dir=ROOT / ".cache"))
    try:
        results, scan_p95 = sweep(work, vectors, queries, truth)
        good = [r for r in results if r["recall_at_10"] >= TARGET_RECALL]
        chosen = min(good, key=lambda r: r["p95_ms"]) if good else None
        production = next((r for r in results if r["settings"] == CHOSEN.describe()), None)
        # Upkeep with the settings searches use (ann.CHOSEN weighs real embeddings too).
        steps = [] if args.no_upkeep else upkeep(work, vectors, queries, CHOSEN)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = {
        "vectors": args.vectors,
        "dimension": args.dimension,
        "data": f"synthetic: unit vectors around {args.clusters} random centres, not embeddings",
        "queries": args.queries,
        "target": {"recall_at_10": TARGET_RECALL, "p95_ms": TARGET_P95_MS},
        "numpy_exact_p95_ms": round(numpy_p95 * 1000, 1),
        "lancedb_exact_scan_p95_ms": scan_p95,
        "candidates": results,
        "best_meeting_recall": chosen,
        "meets_target": bool(chosen and chosen["p95_ms"] <= TARGET_P95_MS),
        "production_settings": CHOSEN.describe(),
        "production_figures": production,
        "upkeep_settings": CHOSEN.describe(),
        "upkeep_fold_in": steps,
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    table = Table("settings", "recall@10", "p95 ms", "x exact scan", "build s", "peak MB")
    for r in results:
        table.add_row(
            json.dumps(r["settings"]), str(r["recall_at_10"]), str(r["p95_ms"]),
            str(r["p95_vs_lancedb_exact_scan"]), str(r["build_seconds"]),
            str(r["build_peak_rss_mb"]),
        )  # fmt: skip
    console.print(table)
    console.print(f"best meeting recall@10 >= {TARGET_RECALL}: {chosen}")
    console.print(f"results: {args.out}")


if __name__ == "__main__":
    main()
