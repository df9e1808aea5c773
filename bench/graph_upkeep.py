"""The semantic graph's upkeep (indexing/backends/graph.py): what each gold run's sync costs,
and how far deletions wear the graph down before it is rebuilt. Run with
`make bench-graph-upkeep` (a few minutes on 2 cores).

Over the archive's real MiniLM embeddings that `make bench-web` keeps
(.cache/bench/web_search_vectors_100000.npz) and 300 of its real queries, through
StoredGraph.sync with a directory store, the path the gold run's optimise takes:
  build       the first sync over every row (the graph made from nothing);
  unchanged   a gold run that changed nothing (the sync still reads the graph and every row);
  add         a gold run that brings 1 % new rows;
  change      a gold run that changes the vectors of 1 % of the rows;
  remove      gold runs that each delete 5 % of the first rows, until the sync rebuilds the
              graph (REBUILD_AFTER_REMOVED): recall@10 after each, against an exact scan over
              the rows left, so the threshold's cost and benefit are measured.
Recall@10 is the top 10 of the pool the search path asks for (SEMANTIC_POOL), one thread.
Results go to bench/results/graph_upkeep.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from samples.video_archive.indexing.backends.graph import (  # noqa: E402
    REBUILD_AFTER_REMOVED,
    StoredGraph,
    describe,
)
from samples.video_archive.search.searcher import SEMANTIC_POOL  # noqa: E402
from samples.video_archive.storage import open_store  # noqa: E402

console = Console()
VECTORS = ROOT / ".cache/bench/web_search_vectors_100000.npz"
BATCH = 10_000
STEP_SHARE = 0.01
REMOVE_SHARE = 0.05


def batches(keys: np.ndarray, vectors: np.ndarray) -> Iterator[pa.RecordBatch]:
    """The table's rows as the sync reads them: asset ids and vectors, in record batches."""
    for start in range(0, len(keys), BATCH):
        chunk = vectors[start : start + BATCH]
        yield pa.RecordBatch.from_arrays(
            [
                pa.array(keys[start : start + BATCH], type=pa.int64()),
                pa.FixedSizeListArray.from_arrays(
                    pa.array(chunk.reshape(-1), type=pa.float32()), chunk.shape[1]
                ),
            ],
            names=["asset_id", "vector"],
        )


def recall_at_10(
    stored: StoredGraph, keys: np.ndarray, vectors: np.ndarray, queries: np.ndarray
) -> float:
    """recall@10 of the saved graph against an exact scan over the rows it should hold."""
    state = stored.state()
    graph = stored.load(state) if state else None
    if graph is None:
        raise RuntimeError("no saved graph to search")
    found = []
    for query in queries:
        exact = set(keys[np.argpartition(-(vectors @ query), 10)[:10]].tolist())
        hits = graph.search(query, SEMANTIC_POOL, threads=1).keys[:10]
        found.append(len(exact & set(int(k) for k in hits)) / 10)
    return round(float(np.mean(found)), 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/graph_upkeep.json")
    args = parser.parse_args()
    if not VECTORS.exists():
        console.print(f"[red]{VECTORS} is missing: run `make bench-web` once first (it keeps them)")
        return 2
    from web_search import distinct_queries

    from samples.video_archive.indexing.embeddings import MiniLMEmbedder

    with np.load(VECTORS) as saved:
        all_vectors = np.asarray(saved["vectors"], dtype=np.float32)
    queries = MiniLMEmbedder().embed(distinct_queries(2000)[: args.queries])
    rng = np.random.default_rng(7)
    extra = max(int(len(all_vectors) * STEP_SHARE), 1)
    # The table at first, and the rows a later gold run brings.
    rows = len(all_vectors) - extra
    keys = np.arange(1, rows + 1, dtype=np.int64)
    vectors = all_vectors[:rows].copy()
    new_keys = np.arange(rows + 1, rows + extra + 1, dtype=np.int64)

    steps: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="bench-graph-") as tmp:
        stored = StoredGraph(open_store(Path(tmp)), "bench", vectors.shape[1])
        version = 0

        def sync(name: str) -> None:
            nonlocal version
            version += 1
            started = time.perf_counter()
            done = stored.sync(lambda: batches(keys, vectors), version)
            took = time.perf_counter() - started
            state = stored.state() or {}
            step = {
                "step": name,
                "rows": len(keys),
                "sync_s": round(took, 2),
                "added": done.added,
                "removed": done.removed,
                "rebuilt": done.rebuilt,
                "removed_since_build": state.get("removed_since_build"),
                "recall_at_10": recall_at_10(stored, keys, vectors, queries),
            }
            steps.append(step)
            console.print(step)

        sync("build")
        sync("unchanged")
        keys = np.concatenate([keys, new_keys])
        vectors = np.concatenate([vectors, all_vectors[rows : rows + extra]])
        sync(f"add {STEP_SHARE:.0%}")
        moved = rng.choice(len(keys), extra, replace=False)
        noise = rng.normal(0, 0.05, (extra, vectors.shape[1])).astype(np.float32)
        vectors[moved] += noise
        vectors[moved] /= np.linalg.norm(vectors[moved], axis=1, keepdims=True)
        sync(f"change {STEP_SHARE:.0%}")
        first = len(keys)
        while True:
            gone = int(first * REMOVE_SHARE)
            keep = np.ones(len(keys), dtype=bool)
            keep[rng.choice(len(keys), gone, replace=False)] = False
            keys, vectors = keys[keep], vectors[keep]
            sync(f"remove {REMOVE_SHARE:.0%}")
            if steps[-1]["rebuilt"] or len(keys) < first / 2:
                break

    build_s = float(steps[0]["sync_s"])  # type: ignore[arg-type]
    report = {
        "benchmark": "semantic graph upkeep",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "vectors": "real MiniLM embeddings of the bench-web catalogue (all-MiniLM-L6-v2, 384)",
        "queries": len(queries),
        "graph": describe(),
        "rebuild_after_removed": REBUILD_AFTER_REMOVED,
        "steps": steps,
        # Each gold run's sync as a share of building the graph from nothing.
        "sync_vs_build": {
            str(s["step"]): round(float(s["sync_s"]) / build_s, 3)  # type: ignore[arg-type]
            for s in steps[1:]
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    table = Table(title=f"semantic graph upkeep -> {args.out}")
    columns = ("step", "rows", "sync s", "x build", "rebuilt", "removed since build", "recall@10")
    for column in columns:
        table.add_column(column)
    for s in steps:
        table.add_row(
            str(s["step"]), f"{s['rows']:,}", str(s["sync_s"]),
            f"{float(s['sync_s']) / build_s:.2f}",  # type: ignore[arg-type]
            str(s["rebuilt"]), str(s["removed_since_build"]), str(s["recall_at_10"]),
        )  # fmt: skip
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
