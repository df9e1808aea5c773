"""Gold: embed catalogued assets and upsert them into the semantic index."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from samples.video_archive.catalog import Catalog
from samples.video_archive.indexing.backends import IndexedAsset, IndexMaintenance, SemanticIndex
from samples.video_archive.indexing.documents import document_text
from samples.video_archive.indexing.embeddings import Embedder


@dataclass
class IndexSummary:
    counts: dict[str, int] = field(default_factory=lambda: {"indexed": 0, "removed": 0})
    errors: list[dict[str, str]] = field(default_factory=list)
    # What the index did after the upserts (None: nothing changed, nothing to maintain).
    maintenance: IndexMaintenance | None = None


def index_pending(
    catalog: Catalog,
    index: SemanticIndex,
    embedder: Embedder,
    *,
    batch_size: int = 200,
    progress: Callable[[int, int], None] | None = None,
) -> IndexSummary:
    """Index every probed asset that is new or changed since it was last indexed, and drop
    assets that no longer have a present file. Re-running indexes nothing twice."""
    summary = IndexSummary()
    pending = catalog.assets_needing_index()
    total = len(pending)
    for start in range(0, total, batch_size):
        batch = pending[start : start + batch_size]
        texts = [document_text(a, a["locations"]) for a in batch]
        vectors = embedder.embed(texts)
        items = [
            IndexedAsset(
                asset_id=a["id"],
                vector=vector,
                text=text,
                title=a["title"] or "",
                duration_s=a["duration_s"] or 0.0,
                video_codec=a["video_codec"] or "",
                height=a["height"] or 0,
                sources=tuple(a["source_names"]),
            )
            for a, text, vector in zip(batch, texts, vectors, strict=True)
        ]
        index.upsert(items)
        catalog.mark_indexed([a["id"] for a in batch])
        catalog.commit()
        summary.counts["indexed"] += len(batch)
        if progress:
            progress(min(start + batch_size, total), total)
    orphans = catalog.orphaned_indexed_assets()
    if orphans:
        index.delete(orphans)
        catalog.conn.execute("UPDATE assets SET indexed_at = NULL WHERE id = ANY(%s)", (orphans,))
        catalog.commit()
        summary.counts["removed"] = len(orphans)
    if summary.counts["indexed"] or summary.counts["removed"]:
        # Once per run, not per batch: folds the new rows into the indexes (and builds the
        # vector index when the table has grown large enough).
        summary.maintenance = index.optimize()
    return summary
