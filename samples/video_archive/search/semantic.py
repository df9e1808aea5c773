"""The semantic side of search: the embedder (behind the query-vector cache) and the
semantic index, opened on first use and then shared by every request of the process."""

from __future__ import annotations

import threading

from samples.video_archive.config import Settings
from samples.video_archive.indexing.backends import (
    SearchFilters,
    SearchHit,
    SemanticIndex,
    SemanticIndexError,
)
from samples.video_archive.indexing.embeddings import Embedder, EmbedderUnavailableError
from samples.video_archive.search.catalog_queries import Filters
from samples.video_archive.search.query_vectors import QueryVectors


class SearchUnavailableError(RuntimeError):
    """Semantic search cannot run here (no embedder or no index); keyword search still can."""


# What opening the model or the index can raise when they are missing or unreachable.
_UNAVAILABLE = (EmbedderUnavailableError, SemanticIndexError, OSError, ImportError)


def index_filters(filters: Filters) -> SearchFilters:
    """The filters the index can apply before ranking; the catalog applies all of them
    again (with the ones the index does not hold: tags, dates, maximum height)."""
    return SearchFilters(
        min_duration_s=filters.min_duration_s,
        max_duration_s=filters.max_duration_s,
        video_codec=filters.video_codec,
        min_height=filters.min_height,
        sources=(filters.source,) if filters.source else (),
    )


class SemanticBackend:
    """The embedder and the semantic index, opened on first use and then shared."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        index: SemanticIndex | None = None,
    ) -> None:
        self._settings = settings
        self._vectors = QueryVectors(embedder) if embedder is not None else None
        self._index = index
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._vectors is not None and self._index is not None

    @property
    def query_vectors(self) -> QueryVectors | None:
        """The query-vector cache (None until the embedder is loaded)."""
        return self._vectors

    @property
    def graph_searches(self) -> int | None:
        """Searches the index's semantic graph answered (None: no index open, or one
        without a graph, such as Weaviate)."""
        graph = getattr(self._index, "graph", None)
        return None if graph is None else graph.served

    def get(self) -> tuple[QueryVectors, SemanticIndex]:
        with self._lock:
            if self._vectors is None:
                from samples.video_archive.indexing.embeddings import MiniLMEmbedder

                self._vectors = QueryVectors(MiniLMEmbedder())
            if self._index is None:
                from samples.video_archive.indexing.index_factory import open_index

                self._index = open_index(self._settings, self._vectors.embedder.dimension)
            return self._vectors, self._index

    def warm(self) -> None:
        """Load the model and open the index now (about 10 s) instead of on the first query."""
        try:
            vectors, index = self.get()
            # One search loads what the index keeps in memory (its graph) too.
            index.search(vectors.embedder.embed(["warm up"])[0], limit=1)
        except _UNAVAILABLE:
            pass  # reported to the user on the first semantic query instead

    def ranked(self, query: str, mode: str, filters: Filters, limit: int) -> list[SearchHit]:
        """Index hits, best first: by meaning alone ("semantic"), or by meaning and words
        fused ("hybrid")."""
        try:
            vectors, index = self.get()
            return index.search(
                vectors.vector(query),
                query if mode == "hybrid" else None,
                limit=limit,
                filters=index_filters(filters),
            )
        except _UNAVAILABLE as exc:
            raise SearchUnavailableError(
                f"{mode} search is not available here ({exc}); use keyword mode"
            ) from exc

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
