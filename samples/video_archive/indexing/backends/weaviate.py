"""Weaviate backend of the archive's semantic index (weaviate-client v4).

The collection has no vectoriser: we send our own vectors. Objects get a UUIDv5 derived
from the asset id, so a batch import of the same asset replaces it. Queries are hybrid
(BM25 on ``text`` fused with vector similarity, relative-score fusion) when a query text
is given, ``near_vector`` otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from integrations.weaviate import WeaviateConnectionError, connect_weaviate
from samples.video_archive.indexing.backends.base import (
    IndexedAsset,
    IndexMaintenance,
    SearchFilters,
    SearchHit,
    SemanticIndexError,
)

DEFAULT_COLLECTION = "VideoAsset"


def connect(url: str, api_key: str | None = None) -> Any:
    """A client for ``url``; a bad URL or an unreachable server is a SemanticIndexError."""
    try:
        return connect_weaviate(url, api_key)
    except WeaviateConnectionError as exc:
        raise SemanticIndexError(str(exc)) from exc


def _uuid(asset_id: int) -> str:
    from weaviate.util import generate_uuid5

    return str(generate_uuid5(f"video-asset:{asset_id}"))


def _filters(filters: SearchFilters | None) -> Any:
    from weaviate.classes.query import Filter

    if filters is None:
        return None
    parts = []
    if filters.min_duration_s is not None:
        parts.append(Filter.by_property("duration_s").greater_or_equal(filters.min_duration_s))
    if filters.max_duration_s is not None:
        parts.append(Filter.by_property("duration_s").less_or_equal(filters.max_duration_s))
    if filters.video_codec:
        parts.append(Filter.by_property("video_codec").equal(filters.video_codec))
    if filters.min_height is not None:
        parts.append(Filter.by_property("height").greater_or_equal(filters.min_height))
    if filters.sources:
        parts.append(Filter.by_property("sources").contains_any(list(filters.sources)))
    return Filter.all_of(parts) if parts else None


class WeaviateIndex:
    """SemanticIndex backed by a Weaviate collection."""

    def __init__(self, client: Any, collection: str = DEFAULT_COLLECTION) -> None:
        from weaviate.classes.config import Configure, DataType, Property, Tokenization

        self._client = client
        if not client.collections.exists(collection):
            client.collections.create(
                collection,
                vector_config=Configure.Vectors.self_provided(),
                properties=[
                    Property(name="asset_id", data_type=DataType.INT),
                    Property(name="text", data_type=DataType.TEXT),
                    Property(name="title", data_type=DataType.TEXT),
                    Property(name="duration_s", data_type=DataType.NUMBER),
                    Property(
                        name="video_codec",
                        data_type=DataType.TEXT,
                        tokenization=Tokenization.FIELD,
                    ),
                    Property(name="height", data_type=DataType.INT),
                    Property(
                        name="sources",
                        data_type=DataType.TEXT_ARRAY,
                        tokenization=Tokenization.FIELD,
                    ),
                ],
            )
        self._collection = client.collections.use(collection)

    def upsert(self, items: Sequence[IndexedAsset]) -> None:
        with self._collection.batch.fixed_size(batch_size=200) as batch:
            for item in items:
                batch.add_object(
                    uuid=_uuid(item.asset_id),
                    vector=[float(v) for v in item.vector],
                    properties={
                        "asset_id": item.asset_id,
                        "text": item.text,
                        "title": item.title,
                        "duration_s": float(item.duration_s),
                        "video_codec": item.video_codec,
                        "height": int(item.height),
                        "sources": list(item.sources),
                    },
                )
        failed = self._collection.batch.failed_objects
        if failed:
            raise SemanticIndexError(
                f"Weaviate rejected {len(failed)} objects: {failed[0].message}"
            )

    def delete(self, asset_ids: Sequence[int]) -> None:
        for asset_id in asset_ids:
            self._collection.data.delete_by_id(_uuid(asset_id))

    def search(
        self,
        vector: Sequence[float],
        text: str | None = None,
        *,
        limit: int = 10,
        filters: SearchFilters | None = None,
    ) -> list[SearchHit]:
        from weaviate.classes.query import HybridFusion, MetadataQuery

        where = _filters(filters)
        if text and text.strip():
            response = self._collection.query.hybrid(
                query=text,
                vector=[float(v) for v in vector],
                alpha=0.5,
                fusion_type=HybridFusion.RELATIVE_SCORE,
                query_properties=["text", "title"],
                filters=where,
                limit=limit,
                return_metadata=MetadataQuery(score=True),
            )
            return [
                SearchHit(int(o.properties["asset_id"]), float(o.metadata.score or 0.0))
                for o in response.objects
            ]
        response = self._collection.query.near_vector(
            near_vector=[float(v) for v in vector],
            filters=where,
            limit=limit,
            return_metadata=MetadataQuery(distance=True),
        )
        return [
            SearchHit(int(o.properties["asset_id"]), 1.0 - float(o.metadata.distance or 0.0))
            for o in response.objects
        ]

    def count(self) -> int:
        return int(self._collection.aggregate.over_all(total_count=True).total_count or 0)

    def optimize(self) -> IndexMaintenance:
        """Weaviate maintains its HNSW index itself as objects arrive: nothing to do."""
        return IndexMaintenance("server", self.count(), 0)

    def close(self) -> None:
        self._client.close()
