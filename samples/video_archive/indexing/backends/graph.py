"""The HNSW graph (usearch) that answers the semantic index's unfiltered vector queries,
kept beside the LanceDB table.

LanceDB's IVF_HNSW_SQ index needs a wide beam on the archive's MiniLM embeddings to find
0.95 of the true 10 nearest neighbours, at about 34 ms of CPU per query on 2 cores; one
HNSW graph over half-precision vectors finds more of them in a tenth of that
(bench/results/web.json, semantic_index_part). Filtered queries stay on LanceDB, which
applies the filters before ranking.

One writer (the gold run's ``optimize``) syncs the graph with the table: it adds the rows the
graph lacks, re-adds the rows whose vector changed, removes the rows the table no longer
has, and saves the graph with the table version it reflects. A graph degrades as removals
accumulate, so it is rebuilt from the table once removals since its build pass
``REBUILD_AFTER_REMOVED`` of its size. Readers load the saved graph and use it only while it
reflects the version of the table they read; rows written since (until the next ``optimize``)
are searched by LanceDB instead, so nothing written is ever missing from an answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from samples.video_archive.storage import Store

logger = logging.getLogger(__name__)

# Graph degree, and the beams at build and at search time (a search widens its beam to
# the number of results it asks for). Short text queries lie far from the documents they
# match, so the search beam must be wide: over 100,000 MiniLM embeddings of the archive and
# 300 real queries (pool of 200, one thread, warm caches), recall@10 was 0.73 at 64, 0.93 at
# 400, 0.96 at 600 (3.4 ms CPU) and 0.97 at 800 (4.4-4.9 ms). A denser graph (degree 32,
# build beam 200) reached 0.97 at a beam of 400 for 0.8 of that CPU, but took 2.3 times as
# long to build (96 s against 41 s): not worth it. bench/web_search.py's
# semantic_index_part measures the chosen settings in the served path.
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 800
# Half precision: half the memory of float32 for no measurable loss of recall; 8-bit
# vectors lost 0.1 of recall@10 on the archive's embeddings.
DTYPE = "f16"
REBUILD_AFTER_REMOVED = 0.2
# How often a reader looks for a newer saved graph and at the table's version.
CHECK_INTERVAL_S = 1.0


def describe() -> dict[str, object]:
    """The graph's settings, as benchmark reports record them."""
    return {
        "library": "usearch",
        "connectivity": CONNECTIVITY,
        "expansion_add": EXPANSION_ADD,
        "expansion_search": EXPANSION_SEARCH,
        "dtype": DTYPE,
        "rebuild_after_removed": REBUILD_AFTER_REMOVED,
    }


@dataclass(frozen=True)
class GraphSync:
    """What a sync did: rows added (new or changed), rows removed, whether it rebuilt."""

    added: int
    removed: int
    rebuilt: bool
    size: int


def _new_graph(dimension: int) -> Any:
    from usearch.index import Index

    return Index(
        ndim=dimension,
        metric="cos",
        dtype=DTYPE,
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


def _restore(data: bytes) -> Any:
    from usearch.index import Index

    graph = Index.restore(data)
    if graph is None:
        raise ValueError("not a usearch index")
    graph.expansion_search = EXPANSION_SEARCH
    return graph


class StoredGraph:
    """The graph and its state (``<table>.graph.usearch``, ``<table>.graph.json``) in the
    index's store: a directory or an S3 prefix."""

    def __init__(self, store: Store, table: str, dimension: int) -> None:
        self._store = store
        self._data_key = f"{table}.graph.usearch"
        self._state_key = f"{table}.graph.json"
        self.dimension = dimension

    def state(self) -> dict[str, Any] | None:
        """The saved graph's table version, size, checksum and removals since its build."""
        try:
            return json.loads(self._store.read_text(self._state_key) or "null")
        except ValueError:
            return None

    def load(self, state: dict[str, Any]) -> Any | None:
        """The saved graph, or None when it is missing or is not the one ``state`` names
        (a writer replaced it meanwhile)."""
        data = self._store.read_bytes(self._data_key)
        if data is None or hashlib.sha256(data).hexdigest() != state.get("sha256"):
            return None
        return _restore(data)

    def save(self, graph: Any, version: int, removed_since_build: int) -> None:
        # The graph first, then the state naming its checksum: a reader that reads the
        # state of one save and the graph of another sees the checksums differ.
        data = bytes(graph.save())
        self._store.write_bytes(self._data_key, data)
        state = {
            "version": version,
            "size": len(graph),
            "sha256": hashlib.sha256(data).hexdigest(),
            "removed_since_build": removed_since_build,
        }
        self._store.write_text(self._state_key, json.dumps(state) + "\n")

    def sync(self, batches: Callable[[], Any], version: int) -> GraphSync:
        """Bring the saved graph in step with the table's rows (``batches()`` yields record
        batches of ``asset_id`` and ``vector``) at ``version``, and save it."""
        started = time.perf_counter()
        state = self.state()
        graph = self.load(state) if state else None
        removed_before = int(state.get("removed_since_build", 0)) if graph is not None else 0
        rebuilt = graph is None or removed_before > REBUILD_AFTER_REMOVED * max(len(graph), 1)
        if rebuilt:
            graph, removed_before = _new_graph(self.dimension), 0
        seen: list[np.ndarray] = []
        added = changed = 0
        for batch in batches():
            keys = np.asarray(batch.column("asset_id").to_numpy(), dtype=np.uint64)
            vectors = _matrix(batch.column("vector"), self.dimension)
            seen.append(keys)
            present = np.asarray(graph.contains(keys), dtype=bool) if len(graph) else None
            if present is not None and present.any():
                stored = np.asarray(graph.get(keys[present], dtype=np.float32))
                moved = ~np.isclose(_unit(stored), _unit(vectors[present]), atol=2e-3).all(axis=1)
                if moved.any():
                    graph.remove(keys[present][moved])
                    changed += int(moved.sum())
                # Rows already in the graph with the same vector stay as they are.
                fresh = ~present
                fresh[np.flatnonzero(present)[moved]] = True
            else:
                fresh = np.ones(len(keys), dtype=bool)
            if fresh.any():
                graph.add(keys[fresh], vectors[fresh])
                added += int(fresh.sum())
        in_table = np.concatenate(seen) if seen else np.empty(0, dtype=np.uint64)
        gone = np.setdiff1d(np.asarray(graph.keys, dtype=np.uint64), in_table)
        if len(gone):
            graph.remove(gone)
        self.save(graph, version, removed_before + changed + len(gone))
        synced = GraphSync(added, len(gone), rebuilt, len(graph))
        logger.info(
            "HNSW graph %s at table version %d: %d rows added, %d removed, %d in all (%.1f s)",
            "rebuilt" if rebuilt else "updated",
            version,
            synced.added,
            synced.removed,
            synced.size,
            time.perf_counter() - started,
        )
        return synced


def _matrix(column: Any, dimension: int) -> np.ndarray:
    """A fixed-size-list column of float32 as an (n, dimension) matrix, without copying."""
    return np.asarray(column.values.to_numpy(zero_copy_only=False), dtype=np.float32).reshape(
        -1, dimension
    )


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


class GraphReader:
    """The saved graph as a reader serves it: reloaded when a newer one is saved, and used
    only while it reflects the table version the reader sees (``table_version()``)."""

    def __init__(
        self,
        stored: StoredGraph,
        table_version: Callable[[], int],
        check_interval_s: float = CHECK_INTERVAL_S,
    ) -> None:
        self._stored = stored
        self._table_version = table_version
        self._check_interval_s = check_interval_s
        self._graph: Any | None = None
        self._graph_version: int | None = None
        self._current = False
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self.served = 0

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < self._check_interval_s:
            return
        # One thread checks (and loads); the others go on with what they have meanwhile.
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._checked_at = now
            try:
                state = self._stored.state()
                if state and state.get("version") != self._graph_version:
                    graph = self._stored.load(state)
                    if graph is not None:
                        self._graph, self._graph_version = graph, state["version"]
                self._current = (
                    self._graph is not None and self._table_version() == self._graph_version
                )
            except (OSError, ValueError, RuntimeError):
                # An unreadable graph is no answer: LanceDB answers until the next check.
                self._current = False
        finally:
            self._lock.release()

    def search(self, vector: Sequence[float], limit: int) -> list[tuple[int, float]] | None:
        """(asset id, cosine distance), nearest first; None when the graph cannot answer
        (none saved yet, or the table has changed since it was saved)."""
        self._refresh()
        graph = self._graph
        if not self._current or graph is None:
            return None
        matches = graph.search(np.asarray(vector, dtype=np.float32), limit, threads=1)
        self.served += 1
        return [
            (int(key), float(distance))
            for key, distance in zip(matches.keys, matches.distances, strict=True)
        ]
