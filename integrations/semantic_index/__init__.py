"""One semantic-index interface, two backends: LanceDB (embedded) and Weaviate (server)."""

from integrations.semantic_index.base import (
    IndexedAsset,
    SearchFilters,
    SearchHit,
    SemanticIndex,
    SemanticIndexError,
)

__all__ = ["IndexedAsset", "SearchFilters", "SearchHit", "SemanticIndex", "SemanticIndexError"]
