"""The semantic graph (indexing/backends/graph.py) alone over a million vectors: build time,
memory, and recall@10 against latency at a sweep of search beams. Run with
`make bench-graph-scale` (about ten minutes on 2 cores).

The vectors and queries are bench/vector_index.py's synthetic ones (unit vectors around
random cluster centres, not embeddings), so the figures sit beside the LanceDB index's in
bench/results/vector_index.json. The graph is made with the settings the archive uses
(graph.describe()) and filled in batches, as a sync fills it; each query asks for the pool
the search path asks for (SEMANTIC_POOL) on one thread and keeps the top 10, as the web
does. In the same run: numpy's exact answer over every vector (the ground truth) and its
p95, the baseline the graph's latency is reported against. Results go to
bench/results/graph_scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import track
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from vector_index import (  # noqa: E402
    TARGET_P95_MS,
    TARGET_RECALL,
    K,
    add_data_arguments,
    exact_top,
    synthetic_data,
)

from samples.video_archive.indexing.backends.graph import (  # noqa: E402
    EXPANSION_SEARCH,
    _new_graph,
    describe,
)
from samples.video_archive.search.searcher import SEMANTIC_POOL  # noqa: E402

console = Console()
BATCH = 50_000
# The beams tried at search time; the archive's own (EXPANSION_SEARCH) is among them.
BEAMS = sorted({200, 400, 600, EXPANSION_SEARCH})


def rss_mb() -> float:
    """The process's resident memory now (MB), from /proc."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def search(graph: object, queries: np.ndarray, truth: np.ndarray, beam: int) -> dict[str, float]:
    graph.expansion_search = beam  # type: ignore[attr-defined]
    for q in queries[:10]:  # first-call costs, untimed
        graph.search(q, SEMANTIC_POOL, threads=1)  # type: ignore[attr-defined]
    seconds, recalls = [], []
    for q, true in track(
        list(zip(queries, truth, strict=True)), description=f"beam {beam}", console=console
    ):
        start = time.perf_counter()
        keys = graph.search(q, SEMANTIC_POOL, threads=1).keys[:K]  # type: ignore[attr-defined]
        seconds.append(time.perf_counter() - start)
        recalls.append(len(set(int(k) for k in keys) & set(true.tolist())) / K)
    return {
        "expansion_search": beam,
        "recall_at_10": round(float(np.mean(recalls)), 4),
        "p50_ms": round(float(np.percentile(seconds, 50)) * 1000, 2),
        "p95_ms": round(float(np.percentile(seconds, 95)) * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/graph_scale.json")
    args = parser.parse_args()

    vectors, queries = synthetic_data(args)
    load_before = os.getloadavg()[0]
    truth, numpy_p95 = exact_top(vectors, queries)
    numpy_p95_ms = round(numpy_p95 * 1000, 1)
    console.log(f"numpy exact answer p95 {numpy_p95_ms} ms per query")

    graph = _new_graph(args.dimension)
    rss_before = rss_mb()
    started = time.perf_counter()
    keys = np.arange(1, len(vectors) + 1, dtype=np.uint64)  # asset ids start at 1
    for start in track(range(0, len(vectors), BATCH), description="building", console=console):
        graph.add(keys[start : start + BATCH], vectors[start : start + BATCH])
    build_s = time.perf_counter() - started
    console.log(f"built in {build_s:.0f} s")
    memory = {
        "process_rss_growth_mb": round(rss_mb() - rss_before),
        "graph_memory_usage_mb": round(graph.memory_usage / 2**20),
        "saved_mb": round(len(bytes(graph.save())) / 2**20),
        "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    console.log(memory)
    beams = [search(graph, queries, truth, beam) for beam in BEAMS]
    for figures in beams:
        figures["p95_vs_numpy_exact"] = round(figures["p95_ms"] / numpy_p95_ms, 3)
    archive = next(b for b in beams if b["expansion_search"] == EXPANSION_SEARCH)
    report = {
        "benchmark": "semantic graph over many vectors",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "vectors": args.vectors,
        "dimension": args.dimension,
        "data": f"synthetic: unit vectors around {args.clusters} random centres, not embeddings",
        "queries": args.queries,
        "pool": SEMANTIC_POOL,
        "graph": describe(),
        "target": {"recall_at_10": TARGET_RECALL, "p95_ms": TARGET_P95_MS},
        "numpy_exact_p95_ms": numpy_p95_ms,
        "build_seconds": round(build_s, 1),
        "build_threads": os.cpu_count(),
        "memory": memory,
        "beams": beams,
        "archive_beam": archive,
        "meets_target": archive["recall_at_10"] >= TARGET_RECALL
        and archive["p95_ms"] <= TARGET_P95_MS,
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    table = Table(title=f"graph over {args.vectors:,} vectors, built in {build_s:.0f} s")
    for column in ("beam", "recall@10", "p50 ms", "p95 ms", "x numpy exact p95"):
        table.add_column(column)
    for b in beams:
        table.add_row(
            str(b["expansion_search"]), str(b["recall_at_10"]), str(b["p50_ms"]),
            str(b["p95_ms"]), str(b["p95_vs_numpy_exact"]),
        )  # fmt: skip
    console.print(table)
    console.print(f"results: {args.out}")


if __name__ == "__main__":
    main()
