"""Embedded semantic index on LanceDB: a directory or an S3 prefix, no server.

``path`` is a local directory (a shared volume on the workers) or ``s3://bucket/prefix``
(the derivatives bucket), which LanceDB opens itself with ``storage.lance_storage_options``
(the standard AWS environment, ``AWS_ENDPOINT_URL`` for emulated AWS). One writer at a time
(the DAG's single gold task; ``max_active_runs=1``); readers (the web service) any number.

Upserts are ``merge_insert`` keyed by asset id; they never build or rebuild an index.
``optimize`` (called once after a batch of upserts, e.g. at the end of a gold run) keeps the
indexes in step with the rows:

* full text (BM25 over ``text``): created with the first rows, new rows folded in
  incrementally; rows not yet folded in are still searched, by a scan.
* vector (ANN on cosine, built and queried per ``ann.CHOSEN``): only once the table holds
  ``ann_min_rows`` rows; below that an exact scan is fast enough and an index would only
  cost build time. Later rows are folded in incrementally (assigned to the trained
  partitions, no retraining), and the index is retrained only when the table has grown
  ``ANN_RETRAIN_GROWTH`` times since it was trained, when the old centroids may no longer
  describe the data well (bench/vector_index.py measures recall along that growth).
  Filtered vector queries use it.
* the HNSW graph beside the table (``graph.py``), once the table holds ``graph_min_rows``
  rows (by default the same threshold): unfiltered vector queries (semantic search, and the
  vector side of hybrid) use it while it reflects the table version being read.

Hybrid search runs the vector and the full-text query (same prefilter) side by side, each
returning ids only, and fuses them by reciprocal rank. Searches go through LanceDB's async
API, on its own background event loop: the synchronous query builders ask that loop for
the table's schema before every query, a round trip that, under 20 concurrent searches,
cost more than the vector search itself (py-spy, bench/results/web.json).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
from lancedb.background_loop import LOOP
from lancedb.index import FTS

from samples.video_archive.indexing.backends.ann import CHOSEN, AnnSettings
from samples.video_archive.indexing.backends.base import (
    IndexedAsset,
    IndexMaintenance,
    Maintenance,
    SearchFilters,
    SearchHit,
)
from samples.video_archive.indexing.backends.graph import GraphReader, GraphSync, StoredGraph
from samples.video_archive.storage import is_s3, lance_storage_options, open_store

DEFAULT_TABLE = "video_assets"
# Hybrid search ranks this many candidates from each side before fusing, so an item that
# one side ranks first is also scored by the other side.
MIN_HYBRID_CANDIDATES = 50
# Reciprocal-rank fusion constant (the usual 60): damps the head of each ranking.
RRF_K = 60
# Measured on the shared 2-core build VM (load 4-7): an exact scan costs ~1.8 ms per 1,000
# rows (~36 ms at 20,000); the ANN index answers in ~5 ms at 90,000 rows but took ~70 s to
# build there, and folding 10,000 new rows into it under a second.
ANN_MIN_ROWS = 20_000
ANN_RETRAIN_GROWTH = 2.0
# A reader (the web service) sees rows another process wrote within this interval.
READ_CONSISTENCY = timedelta(seconds=5)
_VECTOR_INDEX = "vector_idx"
_GRAPH_BATCH = 20_000
_TEXT_INDEX = "text_idx"


def _schema(dimension: int) -> pa.Schema:
    return pa.schema(
        [
            pa.field("asset_id", pa.int64(), nullable=False),
            pa.field("vector", pa.list_(pa.float32(), dimension)),
            pa.field("text", pa.string()),
            pa.field("title", pa.string()),
            pa.field("duration_s", pa.float64()),
            pa.field("video_codec", pa.string()),
            pa.field("height", pa.int64()),
            pa.field("sources", pa.list_(pa.string())),
        ]
    )


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def filter_sql(filters: SearchFilters | None) -> str | None:
    """The SQL predicate LanceDB applies before ranking."""
    if filters is None:
        return None
    clauses: list[str] = []
    if filters.min_duration_s is not None:
        clauses.append(f"duration_s >= {float(filters.min_duration_s)}")
    if filters.max_duration_s is not None:
        clauses.append(f"duration_s <= {float(filters.max_duration_s)}")
    if filters.video_codec:
        clauses.append(f"video_codec = {_quote(filters.video_codec)}")
    if filters.min_height is not None:
        clauses.append(f"height >= {int(filters.min_height)}")
    if filters.sources:
        clauses.append(
            "array_has_any(sources, [" + ", ".join(_quote(s) for s in filters.sources) + "])"
        )
    return " AND ".join(clauses) or None


class LanceDBIndex:
    """SemanticIndex backed by a LanceDB table in ``path``."""

    def __init__(
        self,
        path: Path | str,
        dimension: int,
        table: str = DEFAULT_TABLE,
        *,
        ann_min_rows: int = ANN_MIN_ROWS,
        graph_min_rows: int | None = None,
        ann: AnnSettings = CHOSEN,
    ) -> None:
        import lancedb

        self.dimension = dimension
        self.ann_min_rows = ann_min_rows
        self.graph_min_rows = ann_min_rows if graph_min_rows is None else graph_min_rows
        self.ann = ann
        remote = is_s3(str(path))
        storage_options = lance_storage_options() if remote else None
        self._db = lancedb.connect(
            str(path),
            read_consistency_interval=READ_CONSISTENCY,
            storage_options=storage_options,
        )
        self._table = self._db.create_table(table, schema=_schema(dimension), exist_ok=True)
        # The same table through the async API, for searches.
        self._searched = LOOP.run(_open_async(str(path), table, storage_options))
        # Rows the vector index was trained on: kept beside the table (LanceDB does not
        # record it once later rows have been folded in), on disk or in the bucket.
        self._state = open_store(str(path) if remote else Path(path))
        self._ann_state = f"{table}.ann.json"
        self._has_text_index = _TEXT_INDEX in self._index_names()
        self._graph = StoredGraph(self._state, table, dimension)
        self.graph = GraphReader(self._graph, self._searched_version)

    def _searched_version(self) -> int:
        """The newest table version (a reader's check, about once a second)."""
        LOOP.run(self._searched.checkout_latest())
        return int(LOOP.run(self._searched.version()))

    def _index_names(self) -> set[str]:
        return {i.name for i in self._table.list_indices()}

    def upsert(self, items: Sequence[IndexedAsset]) -> None:
        if not items:
            return
        rows = [
            {
                "asset_id": item.asset_id,
                "vector": [float(v) for v in item.vector],
                "text": item.text,
                "title": item.title,
                "duration_s": float(item.duration_s),
                "video_codec": item.video_codec,
                "height": int(item.height),
                "sources": list(item.sources),
            }
            for item in items
        ]
        (
            self._table.merge_insert("asset_id")
            .when_matched_update_all()
            .when_not_matched_insert_all()
            .execute(pa.Table.from_pylist(rows, schema=_schema(self.dimension)))
        )
        # The full-text index is cheap to create and hybrid search needs it: make it with
        # the first rows. Everything later is optimize()'s job.
        if not self._has_text_index:
            self._table.create_index("text", config=FTS(), replace=True, name=_TEXT_INDEX)
            self._has_text_index = True
        self._see_own_writes()

    def delete(self, asset_ids: Sequence[int]) -> None:
        if asset_ids:
            self._table.delete(f"asset_id IN ({', '.join(str(int(i)) for i in asset_ids)})")
            self._see_own_writes()

    def _see_own_writes(self) -> None:
        """Point the search handle at the version this handle just wrote (other writers'
        versions it picks up within READ_CONSISTENCY by itself)."""
        LOOP.run(self._searched.checkout_latest())

    def search(
        self,
        vector: Sequence[float],
        text: str | None = None,
        *,
        limit: int = 10,
        filters: SearchFilters | None = None,
    ) -> list[SearchHit]:
        where = filter_sql(filters)
        if not (text and text.strip()):
            rows = self._nearest(vector, limit, where)
            return [SearchHit(asset_id, 1.0 - distance) for asset_id, distance in rows]
        pool = max(limit, MIN_HYBRID_CANDIDATES)
        if not (self._has_text_index or _TEXT_INDEX in self._index_names()):
            return fuse_rankings([[i for i, _ in self._nearest(vector, pool, where)]], limit)
        self._has_text_index = True  # (another process may have created it)
        # The BM25 half runs on LanceDB's loop while this thread finds the vector half (in
        # the graph, or on the same loop), so the slower half sets the latency, not the sum.
        by_text_soon = asyncio.run_coroutine_threadsafe(
            self._text_ids(text, pool, where), LOOP.loop
        )
        try:
            by_vector = self._nearest(vector, pool, where)
        except BaseException:
            by_text_soon.cancel()
            raise
        by_text = by_text_soon.result()
        return fuse_rankings([[asset_id for asset_id, _ in by_vector], by_text], limit)

    def _nearest(
        self, vector: Sequence[float], limit: int, where: str | None
    ) -> list[tuple[int, float]]:
        """Unfiltered from the graph when it is current, otherwise from LanceDB."""
        rows = self.graph.search(vector, limit) if where is None else None
        return rows if rows is not None else self._vector_query(vector, limit, where)

    def _vector_query(
        self, vector: Sequence[float], limit: int, where: str | None
    ) -> list[tuple[int, float]]:
        return LOOP.run(self._vector_rows(vector, limit, where))

    def _text_query(self, text: str, limit: int, where: str | None) -> list[int]:
        return LOOP.run(self._text_ids(text, limit, where))

    async def _vector_rows(
        self, vector: Sequence[float], limit: int, where: str | None
    ) -> list[tuple[int, float]]:
        """(asset id, cosine distance), nearest first. Only ids and distances come back,
        never the stored vectors or texts. Filters apply before ranking."""
        query = self.ann.tune(  # (no effect on an exact scan)
            self._searched.query()
            .nearest_to(list(vector))
            .distance_type("cosine")
            .select(["asset_id", "_distance"])
            .limit(limit),
            limit,
        )
        if where:
            query = query.where(where)
        result = await query.to_arrow()
        return list(
            zip(
                result.column("asset_id").to_pylist(),
                result.column("_distance").to_pylist(),
                strict=True,
            )
        )

    async def _text_ids(self, text: str, limit: int, where: str | None) -> list[int]:
        """Asset ids by BM25 over ``text``, best first. Filters apply before ranking."""
        query = self._searched.query().nearest_to_text(text, columns="text")
        query = query.select(["asset_id", "_score"]).limit(limit)
        if where:
            query = query.where(where)
        return (await query.to_arrow()).column("asset_id").to_pylist()

    def count(self) -> int:
        return int(self._table.count_rows())

    def optimize(self) -> IndexMaintenance:
        """Fold new rows into the indexes and compact the small files that each upsert
        leaves; create the vector index once the table is large enough, and retrain it
        only after the table has grown ``ANN_RETRAIN_GROWTH`` times since training.

        Cheap when nothing changed; call it after a batch of upserts, not per upsert."""
        rows = self.count()
        action: Maintenance = "none"
        if _VECTOR_INDEX not in self._index_names():
            if rows >= self.ann_min_rows:
                self.build_vector_index()
                action = "built"
        elif rows >= ANN_RETRAIN_GROWTH * max(self._trained_rows(), 1):
            self.build_vector_index()
            action = "retrained"
        else:
            stats = self._table.index_stats(_VECTOR_INDEX)
            if stats is not None and stats.num_unindexed_rows > 0:
                action = "incremental"
        # Compaction, then every index gets the rows it is missing (the vector index
        # without retraining: the delta is assigned to the existing partitions).
        self._table.optimize()
        self._see_own_writes()
        if rows >= self.graph_min_rows:
            self.sync_graph()
        unindexed = 0
        if _VECTOR_INDEX in self._index_names():
            stats = self._table.index_stats(_VECTOR_INDEX)
            unindexed = stats.num_unindexed_rows if stats else 0
        return IndexMaintenance(action, rows, unindexed)

    def _trained_rows(self) -> int:
        try:
            return int(json.loads(self._state.read_text(self._ann_state) or "")["trained_rows"])
        except (OSError, ValueError, KeyError, TypeError):
            # Unknown (the file was lost): take the index's own count, so no retrain now.
            stats = self._table.index_stats(_VECTOR_INDEX)
            return stats.num_indexed_rows if stats else 0

    def build_vector_index(self) -> None:
        """Train and build the ANN index over every row now (minutes at 100,000 rows on
        2 cores). ``optimize`` calls this when needed; call it directly to force a retrain."""
        rows = self.count()
        self._table.create_index(
            "vector",
            config=self.ann.index_config(),
            replace=True,
            name=_VECTOR_INDEX,
        )
        self._state.write_text(self._ann_state, json.dumps({"trained_rows": rows}) + "\n")
        self._see_own_writes()

    def sync_graph(self) -> GraphSync:
        """Bring the HNSW graph in step with the table as it is now (``optimize`` does)."""
        version = int(self._table.version)
        return self._graph.sync(
            lambda: (
                self._table.search()
                .select(["asset_id", "vector"])
                .limit(None)
                .to_batches(_GRAPH_BATCH)
            ),
            version,
        )

    def close(self) -> None:
        """Nothing to release: LanceDB is embedded."""


async def _open_async(path: str, table: str, storage_options: dict | None) -> object:
    import lancedb

    db = await lancedb.connect_async(
        path, read_consistency_interval=READ_CONSISTENCY, storage_options=storage_options
    )
    return await db.open_table(table)


def fuse_rankings(rankings: Sequence[Sequence[int]], limit: int) -> list[SearchHit]:
    """Reciprocal-rank fusion: each ranking adds 1 / (RRF_K + rank) to an id's score."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, asset_id in enumerate(ranking, start=1):
            scores[asset_id] = scores.get(asset_id, 0.0) + 1.0 / (RRF_K + rank)
    best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [SearchHit(int(asset_id), score) for asset_id, score in best]
