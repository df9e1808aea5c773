"""Choose the semantic-index backend from the settings."""

from __future__ import annotations

from pathlib import Path

from samples.video_archive.config import Settings
from samples.video_archive.indexing.backends import SemanticIndex


def open_index(settings: Settings, dimension: int) -> SemanticIndex:
    """LanceDB in ``lancedb_dir`` (a directory or ``s3://bucket/prefix``) or the Weaviate
    collection, per ``index_backend``. Called by gold, the CLI's search and the web."""
    if settings.index_backend == "weaviate":
        from samples.video_archive.indexing.backends.weaviate import WeaviateIndex, connect

        client = connect(settings.weaviate_url, settings.weaviate_api_key or None)
        return WeaviateIndex(client, collection=settings.weaviate_collection)
    from samples.video_archive.indexing.backends.lancedb import LanceDBIndex

    if isinstance(settings.lancedb_dir, Path):
        settings.lancedb_dir.mkdir(parents=True, exist_ok=True)
    return LanceDBIndex(
        settings.lancedb_dir, dimension=dimension, graph_min_rows=settings.graph_min_rows
    )
