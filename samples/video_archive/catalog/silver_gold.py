"""Silver and gold bookkeeping: which assets need derivatives or (re)indexing, who is
deriving an asset now, what was derived, and which indexed assets lost their last present
file.

Silver runs as mapped tasks on several workers, and Airflow may start a retry of a batch
while the first attempt still runs (a worker that stopped answering). Two things keep the
catalog at one row and one set of derivatives per asset:

* a claim: a PostgreSQL advisory lock per asset, held by the deriving session and released
  by PostgreSQL when that session ends (a killed worker's connection closes);
* conditional writes: derivatives and silver quarantines are recorded only while the asset
  still has none (``derived_at IS NULL``), so even an overlap the lock did not prevent
  records once. After taking a claim, callers re-read the asset (``claimable_assets``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from samples.video_archive.catalog._base import CatalogBase
from samples.video_archive.catalog.sources import registered_source
from samples.video_archive.ingestion.sources import SourceSpec

# Advisory-lock namespace for silver claims (two-int form: namespace, asset id).
SILVER_LOCK_SPACE = 0x5641
_INT4 = 2**31
CLAIM_POLL_S = 0.5


class SilverGoldQueries(CatalogBase):
    """What the derivative and index layers read and record."""

    def try_claim(self, asset_id: int) -> bool:
        """Take the asset's silver claim for this session; False when another holds it.

        (Ids beyond 2^31 share locks modulo 2^31: a collision only makes one wait.)"""
        row = self._one(
            "SELECT pg_try_advisory_lock(%s, %s) AS ok", (SILVER_LOCK_SPACE, asset_id % _INT4)
        )
        self.commit()
        return bool(row and row["ok"])

    def claim_within(self, asset_id: int, wait_s: float) -> bool:
        """Wait up to ``wait_s`` for the claim another session holds."""
        deadline = time.monotonic() + wait_s
        while not self.try_claim(asset_id):
            if time.monotonic() >= deadline:
                return False
            time.sleep(CLAIM_POLL_S)
        return True

    def release(self, asset_id: int) -> None:
        """Give the asset's silver claim back (after its result is committed)."""
        self._one("SELECT pg_advisory_unlock(%s, %s) AS ok", (SILVER_LOCK_SPACE, asset_id % _INT4))
        self.commit()

    def begin_derivation(self, asset_id: int) -> int:
        """Count a start of the asset's derivation (committed at once, so that a kill
        leaves it counted); return how many earlier starts were never finished."""
        row = self._one(
            "UPDATE assets SET silver_interruptions = silver_interruptions + 1 WHERE id = %s "
            "RETURNING silver_interruptions - 1 AS before",
            (asset_id,),
        )
        self.commit()
        return int(row["before"]) if row else 0

    def end_derivation(self, asset_id: int) -> None:
        """A start that ended with a recorded outcome (also a reported failure)."""
        self.conn.execute("UPDATE assets SET silver_interruptions = 0 WHERE id = %s", (asset_id,))

    def claimable_assets(self, asset_ids: Sequence[int]) -> list[dict[str, Any]]:
        """Those of ``asset_ids`` that still need silver (probed, not derived), fresh."""
        return self._all(
            "SELECT * FROM assets WHERE id = ANY(%s) AND status = 'probed' "
            "AND derived_at IS NULL ORDER BY id",
            (list(asset_ids),),
        )

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

    def asset_ids_needing_derivatives(self, limit: int | None = None) -> list[int]:
        """Probed assets without derivatives and with a present file on an online source:
        the work silver's plan splits into batches."""
        rows = self._all(
            """
            SELECT a.id FROM assets a WHERE a.status = 'probed' AND a.derived_at IS NULL
            AND EXISTS (SELECT 1 FROM files f JOIN sources s ON s.id = f.source_id
                        WHERE f.asset_id = a.id AND f.status = 'present'
                        AND s.status <> 'offline')
            ORDER BY a.id LIMIT %s
            """,
            (limit,),
        )
        return [int(r["id"]) for r in rows]

    def record_derivatives(self, asset_id: int, values: dict[str, Any]) -> bool:
        """Record an asset's derivatives unless some attempt already did; True if recorded."""
        allowed = ("poster_path", "sprite_path", "proxy_path", "scene_cuts_s", "phash",
                   "quality_issues")  # fmt: skip
        params = {k: values.get(k) for k in allowed}
        params["quality_issues"] = params["quality_issues"] or []
        params["id"] = asset_id
        assignments = ", ".join(f"{k} = %({k})s" for k in allowed)
        with self.conn.cursor() as cur:
            cur.execute(
                f"UPDATE assets SET {assignments}, derived_at = now(), updated_at = now(), "  # noqa: S608 - fixed column names
                "silver_interruptions = 0 "
                "WHERE id = %(id)s AND status = 'probed' AND derived_at IS NULL",
                params,
            )
            return cur.rowcount == 1

    def quarantine_undecodable(self, asset_id: int, reason: str) -> bool:
        """Silver's quarantine (e.g. a decode that exceeded its bound), unless derived."""
        with self.conn.cursor() as cur:
            cur.execute(
                "UPDATE assets SET status = 'quarantined', quarantine_reason = %s, "
                "silver_interruptions = 0, updated_at = now() "
                "WHERE id = %s AND status = 'probed' AND derived_at IS NULL",
                (reason, asset_id),
            )
            return cur.rowcount == 1

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
