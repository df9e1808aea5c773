"""Keyword, semantic and hybrid search: the one path the web service, the CLI and the
benchmarks share.

* keyword: the catalog's full-text search (web-search syntax over the title, tags,
  description, sidecar text, transcript and paths; catalog_queries.keyword_search), so
  an edit is findable the moment it is saved;
* semantic: the query's vector against the semantic index;
* hybrid: the index's BM25 and vector rankings fused by reciprocal rank.

Rankings may be remembered for a few seconds (ranking_cache.py). Semantic and hybrid take
the index's best SEMANTIC_POOL hits (the index applies the filters it holds first), then
the catalog applies every filter and gives the cards in the index's order. An empty query
lists the catalog, newest first, in any mode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import psycopg

from samples.video_archive.search.catalog_queries import Filters, keyword_search, ranked_cards
from samples.video_archive.search.ranking_cache import Ranking, RankingCache
from samples.video_archive.search.semantic import SemanticBackend

Mode = Literal["keyword", "semantic", "hybrid"]
MODES: tuple[str, ...] = ("keyword", "semantic", "hybrid")
# Index hits fetched before catalog-side filters and paging.
SEMANTIC_POOL = 200
# Longer keyword queries are cut here (the API refuses more than 500 characters anyway).
MAX_QUERY_LENGTH = 500
_WORD = re.compile(r"[^\s\"']+")


@dataclass(frozen=True)
class SearchPage:
    """One page of cards (catalog rows with ``score``: ts_rank for keyword, similarity or
    fused rank score otherwise, None when listing) and the total, capped at COUNT_CAP + 1."""

    items: list[dict[str, Any]]
    total: int
    mode: str


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
    offset: int = 0,
    rankings: RankingCache | None = None,
) -> SearchPage:
    """One page of results in ranking order; ``rankings`` (the web service's) remembers
    recent rankings (ranking_cache.py).

    Raises ValueError for an unknown mode and SearchUnavailableError when semantic or
    hybrid search cannot run here (no model or no index)."""
    if mode not in MODES:
        raise ValueError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
    words = query_words(query)
    if not words:
        items, total = keyword_search(conn, "", filters, limit=limit, offset=offset)
        return SearchPage(items, total, mode)
    if mode == "keyword":
        text = query[:MAX_QUERY_LENGTH]
        key = (mode, text, filters, limit, offset)
        cached = rankings.get(key) if rankings is not None else None
        if cached is not None:
            items, _ = ranked_cards(conn, cached.ids, filters, limit=limit, scores=cached.scores)
            return SearchPage(items, cached.total, mode)
        items, total = keyword_search(conn, text, filters, limit=limit, offset=offset)
        if rankings is not None:
            ranking = Ranking(
                tuple(i["id"] for i in items), tuple(i["score"] for i in items), total
            )
            rankings.put(key, ranking)
        return SearchPage(items, total, mode)
    text = " ".join(words)
    key = (mode, text, filters)
    cached = rankings.get(key) if rankings is not None else None
    if cached is None:
        hits = backend.ranked(text, mode, filters, SEMANTIC_POOL)
        cached = Ranking(tuple(h.asset_id for h in hits), tuple(h.score for h in hits), len(hits))
        if rankings is not None:
            rankings.put(key, cached)
    items, total = ranked_cards(
        conn, cached.ids, filters, limit=limit, offset=offset, scores=cached.scores
    )
    return SearchPage(items, total, mode)
