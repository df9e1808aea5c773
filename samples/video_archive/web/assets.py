"""Catalog reads that pages and the API share: one asset in detail, its near duplicates,
one page of search results."""

from __future__ import annotations

from datetime import date
from typing import Any

from samples.video_archive.catalog import Catalog
from samples.video_archive.search import (
    Filters,
    RankingCache,
    SearchUnavailableError,
    SemanticBackend,
    run_search,
)
from samples.video_archive.web import queries
from samples.video_archive.web.database import CatalogPool
from samples.video_archive.web.errors import ApiError, not_found
from samples.video_archive.web.schemas import AssetDetail, Card


def asset_detail(catalog: CatalogPool, asset_id: int) -> tuple[AssetDetail, dict[str, Any]]:
    """The asset as the API shows it, and its row; 404 unless it is a probed video."""
    with catalog.connection() as conn:
        repository = Catalog(conn)
        row = repository.asset(asset_id)
        if row is None or row["status"] != "probed":
            raise not_found(asset_id)
        files = repository.asset_files(asset_id)
    return AssetDetail.from_rows(row, files), row


def near_duplicates(catalog: CatalogPool, asset_id: int, phash: Any) -> list[Card]:
    with catalog.connection() as conn:
        return [Card.from_row(r) for r in queries.near_duplicates(conn, asset_id, phash)]


def search_page(
    catalog: CatalogPool,
    backend: SemanticBackend,
    rankings: RankingCache,
    query: str,
    mode: str,
    filters: Filters,
    page: int,
    per_page: int,
) -> tuple[list[Card], int]:
    """One page of cards and the (capped) total; 503 when the mode cannot run here."""
    with catalog.connection() as conn:
        try:
            result = run_search(
                conn,
                backend,
                query,
                mode,
                filters,
                limit=per_page,
                offset=(page - 1) * per_page,
                rankings=rankings,
            )
        except SearchUnavailableError as exc:
            raise ApiError(503, str(exc)) from exc
    return [Card.from_row(r) for r in result.items], result.total


def filters_from(
    min_duration: float | None,
    max_duration: float | None,
    min_height: int | None,
    max_height: int | None,
    codec: str | None,
    source: str | None,
    tag: list[str] | None,
    date_from: date | None,
    date_to: date | None,
) -> Filters:
    """Search filters from request parameters (empty values: no restriction)."""
    return Filters(
        min_duration_s=min_duration,
        max_duration_s=max_duration,
        min_height=min_height,
        max_height=max_height,
        video_codec=codec or None,
        source=source or None,
        tags=tuple(t.strip().lower() for t in (tag or []) if t.strip()),
        date_from=date_from,
        date_to=date_to,
    )
