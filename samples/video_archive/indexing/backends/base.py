"""The contract every semantic-index backend fulfils.

Vectors are supplied by us (no server-side vectoriser). Items are keyed by the catalog's
asset id, so upserting the same id twice replaces, never duplicates. ``search`` is hybrid
when a query text is given (BM25 over ``text`` fused with vector similarity) and pure
vector search otherwise; filters restrict candidates before ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol


class SemanticIndexError(RuntimeError):
    """The index cannot be reached or refused an operation."""


@dataclass(frozen=True)
class IndexedAsset:
    """One searchable item: a catalogued video."""

    asset_id: int
    vector: Sequence[float]
    text: str
    title: str = ""
    duration_s: float = 0.0
    video_codec: str = ""
    height: int = 0
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions applied before ranking; None means no restriction."""

    min_duration_s: float | None = None
    max_duration_s: float | None = None
    video_codec: str | None = None
    min_height: int | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SearchHit:
    asset_id: int
    score: float


Maintenance = Literal["none", "built", "incremental", "retrained", "server"]


@dataclass(frozen=True)
class IndexMaintenance:
    """What ``optimize`` did to the vector index ("server": the server maintains it), and
    the row counts afterwards."""

    vector_index: Maintenance
    rows: int
    unindexed_rows: int


class SemanticIndex(Protocol):
    """Implemented by LanceDBIndex and WeaviateIndex; checked by one contract suite."""

    def upsert(self, items: Sequence[IndexedAsset]) -> None: ...

    def delete(self, asset_ids: Sequence[int]) -> None: ...

    def search(
        self,
        vector: Sequence[float],
        text: str | None = None,
        *,
        limit: int = 10,
        filters: SearchFilters | None = None,
    ) -> list[SearchHit]: ...

    def count(self) -> int: ...

    def optimize(self) -> IndexMaintenance:
        """Bring the indexes up to date after a batch of upserts (never needed for
        correctness: rows not yet indexed are still found)."""
        ...

    def close(self) -> None: ...
