"""One semantic-index interface, two backends: LanceDB (embedded) and Weaviate (server)."""

from integrations.semantic_index.base import (
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
