"""Keyword, semantic and hybrid search for the web service.

Keyword search is the catalog's full-text search (web-search syntax over the title, tags,
description, sidecar text, transcript and paths; see queries.keyword_search), so an edit
is findable the moment it is saved. Semantic and hybrid search embed the query with the
archive's embedder and ask the semantic index (vector only, or BM25 fused with vectors),
then apply the remaining filters in the catalog. The embedder loads on the first semantic
query (about 10 s) and is then shared.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Literal

import psycopg

from samples.video_archive.config import Settings
from samples.video_archive.indexing.backends import SearchFilters, SemanticIndex, SemanticIndexError
from samples.video_archive.indexing.embeddings import Embedder, EmbedderUnavailableError
from samples.video_archive.web.queries import Filters, cards_for_ids, keyword_search

Mode = Literal["keyword", "semantic", "hybrid"]
MODES: tuple[str, ...] = ("keyword", "semantic", "hybrid")
# Index hits fetched before catalog-side filters and paging.
SEMANTIC_POOL = 200
# Longer keyword queries are cut here (the API refuses more than 500 characters anyway).
MAX_QUERY_LENGTH = 500
_WORD = re.compile(r"[^\s\"']+")


class SearchUnavailableError(RuntimeError):
    """Semantic search cannot run here (no embedder or no index); keyword search still can."""


@dataclass(frozen=True)
class SearchPage:
    items: list[dict[str, Any]]
    total: int
    mode: str


class SemanticBackend:
    """The embedder and the semantic index, opened on first use and then shared."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        index: SemanticIndex | None = None,
    ) -> None:
        self._settings = settings
        self._embedder = embedder
        self._index = index
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._embedder is not None and self._index is not None

    def get(self) -> tuple[Embedder, SemanticIndex]:
        with self._lock:
            if self._embedder is None:
                from samples.video_archive.indexing.embeddings import MiniLMEmbedder

                self._embedder = MiniLMEmbedder()
            if self._index is None:
                from samples.video_archive.indexing.index_factory import open_index

                self._index = open_index(self._settings, self._embedder.dimension)
            return self._embedder, self._index

    def warm(self) -> None:
        """Load the model and open the index now (about 10 s) instead of on the first query."""
        try:
            embedder, _ = self.get()
            embedder.embed(["warm up"])
        except (EmbedderUnavailableError, SemanticIndexError, OSError, ImportError):
            pass  # reported to the user on the first semantic query instead

    def ranked_ids(self, query: str, mode: str, filters: Filters) -> list[int]:
        try:
            embedder, index = self.get()
            vector = embedder.embed([query])[0]
            hits = index.search(
                vector,
                query if mode == "hybrid" else None,
                limit=SEMANTIC_POOL,
                filters=SearchFilters(
                    min_duration_s=filters.min_duration_s,
                    max_duration_s=filters.max_duration_s,
                    video_codec=filters.video_codec,
                    min_height=filters.min_height,
                    sources=(filters.source,) if filters.source else (),
                ),
            )
        except (EmbedderUnavailableError, SemanticIndexError, OSError, ImportError) as exc:
            raise SearchUnavailableError(
                f"{mode} search is not available here ({exc}); use keyword mode"
            ) from exc
        return [h.asset_id for h in hits]

    def close(self) -> None:
        if self._index is not None:
            self._index.close()


def query_words(query: str) -> list[str]:
    return _WORD.findall(query)[:12]


def run_search(
    conn: psycopg.Connection,
    backend: SemanticBackend,
    query: str,
    mode: str,
    filters: Filters,
    *,
    limit: int,
    offset: int,
) -> SearchPage:
    """One page of results; an empty query lists the catalog (newest first) in any mode."""
    words = query_words(query)
    if mode == "keyword" or not words:
        items, total = keyword_search(
            conn, query[:MAX_QUERY_LENGTH] if words else "", filters, limit=limit, offset=offset
        )
        return SearchPage(items, total, mode)
    ranked = backend.ranked_ids(" ".join(words), mode, filters)
    cards = cards_for_ids(conn, ranked, filters)
    return SearchPage(cards[offset : offset + limit], len(cards), mode)
