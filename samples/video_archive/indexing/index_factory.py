"""Choose the semantic-index backend from the settings."""

from __future__ import annotations

from integrations.semantic_index import SemanticIndex
from samples.video_archive.config import Settings


def open_index(settings: Settings, dimension: int) -> SemanticIndex:
    """LanceDB in ``lancedb_dir`` or the Weaviate collection, per ``index_backend``."""
    if settings.index_backend == "weaviate":
        from integrations.weaviate import WeaviateIndex, connect_weaviate

        client = connect_weaviate(settings.weaviate_url, settings.weaviate_api_key or None)
        return WeaviateIndex(client, collection=settings.weaviate_collection)
    from integrations.semantic_index.lancedb_store import LanceDBIndex

    settings.lancedb_dir.mkdir(parents=True, exist_ok=True)
    return LanceDBIndex(settings.lancedb_dir, dimension=dimension)
