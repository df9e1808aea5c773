"""Embedded semantic index on LanceDB: a directory on disk, no server.

Upserts are ``merge_insert`` keyed by asset id. A native full-text index over ``text``
gives the BM25 half of hybrid search (rows added after it was built are still searched),
fused with cosine vector search by reciprocal-rank fusion over an over-fetched pool.
``optimize`` folds new rows into the indexes; call it after large batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
from lancedb.index import FTS
from lancedb.rerankers import RRFReranker

from integrations.semantic_index.base import IndexedAsset, SearchFilters, SearchHit

DEFAULT_TABLE = "video_assets"
# Hybrid search ranks this many candidates from each side before fusing, so an item that
# one side ranks first is also scored by the other side.
MIN_HYBRID_CANDIDATES = 50


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

    def __init__(self, path: Path | str, dimension: int, table: str = DEFAULT_TABLE) -> None:
        import lancedb

        self.dimension = dimension
        self._db = lancedb.connect(str(path))
        self._table = self._db.create_table(table, schema=_schema(dimension), exist_ok=True)
        self._has_fts = any("text" in getattr(i, "columns", []) for i in self._table.list_indices())

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
        if not self._has_fts:
            self._table.create_index("text", config=FTS(), replace=True)
            self._has_fts = True

    def delete(self, asset_ids: Sequence[int]) -> None:
        if asset_ids:
            self._table.delete(f"asset_id IN ({', '.join(str(int(i)) for i in asset_ids)})")

    def search(
        self,
        vector: Sequence[float],
        text: str | None = None,
        *,
        limit: int = 10,
        filters: SearchFilters | None = None,
    ) -> list[SearchHit]:
        if self.count() == 0:
            return []
        where = filter_sql(filters)
        if text and text.strip() and self._has_fts:
            query = (
                self._table.search(query_type="hybrid")
                .vector(list(vector))
                .text(text)
                .distance_type("cosine")
                .rerank(RRFReranker())
            )
            score_column = "_relevance_score"
        else:
            query = self._table.search(list(vector)).distance_type("cosine")
            score_column = "_distance"
        if where:
            query = query.where(where, prefilter=True)
        pool = max(limit, MIN_HYBRID_CANDIDATES) if score_column == "_relevance_score" else limit
        rows = query.limit(pool).to_list()[:limit]
        hits = []
        for row in rows:
            score = float(row[score_column])
            hits.append(
                SearchHit(
                    int(row["asset_id"]), 1.0 - score if score_column == "_distance" else score
                )
            )
        return hits

    def count(self) -> int:
        return int(self._table.count_rows())

    def optimize(self) -> None:
        """Fold recently added rows into the vector and full-text indexes."""
        self._table.optimize()

    def build_vector_index(self) -> None:
        """Approximate-nearest-neighbour index; worth it from ~50,000 rows on."""
        self._table.create_index(
            metric="cosine", vector_column_name="vector", index_type="IVF_HNSW_SQ", replace=True
        )

    def close(self) -> None:
        """Nothing to release: LanceDB is embedded."""
