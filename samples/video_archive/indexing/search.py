"""Search the archive: embed the query, ask the semantic index, join catalog rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from samples.video_archive.catalog import Catalog
from samples.video_archive.indexing.backends import SearchFilters, SemanticIndex
from samples.video_archive.indexing.embeddings import Embedder


@dataclass(frozen=True)
class SearchResult:
    asset_id: int
    score: float
    location: str
    title: str | None
    duration_s: float | None
    resolution: str | None
    video_codec: str | None

    @classmethod
    def from_row(cls, score: float, row: dict[str, Any]) -> SearchResult:
        resolution = f"{row['width']}x{row['height']}" if row.get("width") else None
        return cls(
            row["id"],
            score,
            row.get("location") or "?",
            row.get("title"),
            row.get("duration_s"),
            resolution,
            row.get("video_codec"),
        )


def search(
    catalog: Catalog,
    index: SemanticIndex,
    embedder: Embedder,
    query: str,
    *,
    limit: int = 10,
    filters: SearchFilters | None = None,
) -> list[SearchResult]:
    """Hybrid (words + meaning) search; results in ranking order with their catalog data."""
    if not query.strip():
        raise ValueError(
            "the search query is empty; give some words, e.g. search 'harbour at dusk'"
        )
    vector = embedder.embed([query])[0]
    hits = index.search(vector, query, limit=limit, filters=filters)
    rows = catalog.assets_by_ids([h.asset_id for h in hits])
    return [SearchResult.from_row(h.score, rows[h.asset_id]) for h in hits if h.asset_id in rows]
