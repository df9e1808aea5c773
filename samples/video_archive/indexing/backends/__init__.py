"""One semantic-index interface, two backends: LanceDB (embedded) and Weaviate (server)."""

from samples.video_archive.indexing.backends.base import (
    IndexedAsset,
    IndexMaintenance,
    SearchFilters,
    SearchHit,
    SemanticIndex,
    SemanticIndexError,
)

__all__ = [
    "IndexMaintenance",
    "IndexedAsset",
    "SearchFilters",
    "SearchHit",
    "SemanticIndex",
    "SemanticIndexError",
]
