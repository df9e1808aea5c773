"""Silver and gold bookkeeping: which assets need derivatives or (re)indexing, what was
derived, and which indexed assets lost their last present file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from samples.video_archive.catalog._base import CatalogBase
from samples.video_archive.catalog.sources import registered_source
from samples.video_archive.ingestion.sources import SourceSpec


class SilverGoldQueries(CatalogBase):
    """What the derivative and index layers read and record."""

    def present_location(self, asset_id: int) -> tuple[SourceSpec, str] | None:
        """One source and relative path where the asset is present now."""
        row = self._one(
            """
            SELECT s.*, f.rel_path FROM files f JOIN sources s ON s.id = f.source_id
            WHERE f.asset_id = %s AND f.status = 'present' AND s.status <> 'offline'
            ORDER BY f.id LIMIT 1
            """,
            (asset_id,),
        )
        return (registered_source(row).spec, row["rel_path"]) if row else None

    def assets_needing_derivatives(self, limit: int | None = None) -> list[dict[str, Any]]:
        return self._all(
            "SELECT * FROM assets WHERE status = 'probed' AND derived_at IS NULL "
            "ORDER BY id LIMIT %s",
            (limit,),
        )

    def record_derivatives(self, asset_id: int, values: dict[str, Any]) -> None:
        allowed = ("poster_path", "sprite_path", "proxy_path", "scene_cuts_s", "phash",
                   "quality_issues")  # fmt: skip
        params = {k: values.get(k) for k in allowed}
        params["quality_issues"] = params["quality_issues"] or []
        params["id"] = asset_id
        assignments = ", ".join(f"{k} = %({k})s" for k in allowed)
        self.conn.execute(
            f"UPDATE assets SET {assignments}, derived_at = now(), updated_at = now() "  # noqa: S608 - fixed column names
            "WHERE id = %(id)s",
            params,
        )

    def assets_needing_index(self, limit: int | None = None) -> list[dict[str, Any]]:
        return self._all(
            """
            SELECT a.*, array_agg(s.name || ':' || f.rel_path ORDER BY f.id) AS locations,
                   array_agg(DISTINCT s.name) AS source_names
            FROM assets a JOIN files f ON f.asset_id = a.id AND f.status = 'present'
            JOIN sources s ON s.id = f.source_id
            WHERE a.status = 'probed' AND (a.indexed_at IS NULL OR a.indexed_at < a.updated_at)
            GROUP BY a.id ORDER BY a.id LIMIT %s
            """,
            (limit,),
        )

    def mark_indexed(self, asset_ids: Sequence[int]) -> None:
        self.conn.execute(
            "UPDATE assets SET indexed_at = now() WHERE id = ANY(%s)", (list(asset_ids),)
        )

    def orphaned_indexed_assets(self) -> list[int]:
        """Indexed assets with no present file: their vectors should leave the index."""
        return [
            r["id"]
            for r in self._all(
                "SELECT a.id FROM assets a WHERE a.indexed_at IS NOT NULL AND NOT EXISTS "
                "(SELECT 1 FROM files f WHERE f.asset_id = a.id AND f.status = 'present')"
            )
        ]
