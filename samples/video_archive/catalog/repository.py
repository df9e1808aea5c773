"""Catalog queries. Every write is an upsert keyed by fingerprint or (source, path).

Identity model: an *asset* is one distinct content (unique fingerprint) and carries all
metadata; a *file* is one place where that content lives (source + relative path). Moving
a file adds a file row for the new path and marks the old one missing; the asset, its id
and its metadata stay. Missing files are soft-deleted and purged after a grace period.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb

from integrations.postgres import apply_migrations, connect
from samples.video_archive.catalog.bronze import BronzeQueries
from samples.video_archive.catalog.silver_gold import SilverGoldQueries
from samples.video_archive.catalog.sources import SourceQueries

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class AssetInUseError(ValueError):
    """An asset that still has a present file cannot be deleted by hand."""


class Catalog(SourceQueries, BronzeQueries, SilverGoldQueries):
    """Thin, typed access to the catalog tables over one connection: the query groups of
    sources.py, bronze.py and silver_gold.py, plus runs and the reads the CLI and the web
    service share."""

    def migrate(self) -> list[int]:
        """Bring the schema up to date; return the migration numbers applied now."""
        return apply_migrations(self.conn, MIGRATIONS_DIR)

    # -- runs ------------------------------------------------------------------------
    def record_run(
        self,
        run_id: str,
        layer: str,
        source_name: str | None,
        counts: dict[str, int],
        errors: list[dict[str, str]],
        part: str = "",
    ) -> None:
        """One record per (run, layer, source, part); ``part`` names a mapped silver batch,
        so a retried batch replaces its own record and no other."""
        self.conn.execute(
            """
            INSERT INTO runs (run_id, layer, source_name, part, counts, errors, finished_at)
            VALUES (%s, %s, %s, %s, %s, %s, now())
            ON CONFLICT (run_id, layer, source_name, part) DO UPDATE
                SET counts = EXCLUDED.counts, errors = EXCLUDED.errors, finished_at = now()
            """,
            (run_id, layer, source_name, part, Jsonb(counts), Jsonb(errors)),
        )
        self.commit()

    def runs(self, run_id: str) -> list[dict[str, Any]]:
        return self._all(
            "SELECT layer, source_name, part, counts, errors, started_at, finished_at "
            "FROM runs WHERE run_id = %s ORDER BY id",
            (run_id,),
        )

    # -- reading -----------------------------------------------------------------------
    def asset(self, asset_id: int) -> dict[str, Any] | None:
        return self._one("SELECT * FROM assets WHERE id = %s", (asset_id,))

    def asset_files(self, asset_id: int) -> list[dict[str, Any]]:
        return self._all(
            "SELECT s.name AS source, f.rel_path, f.status, f.size_bytes, f.missing_since "
            "FROM files f JOIN sources s ON s.id = f.source_id WHERE f.asset_id = %s "
            "ORDER BY f.status DESC, f.id",
            (asset_id,),
        )

    def assets_by_ids(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        rows = self._all(
            """
            SELECT a.id, a.title, a.duration_s, a.width, a.height, a.video_codec, a.status,
                   (SELECT s.name || ':' || f.rel_path FROM files f
                    JOIN sources s ON s.id = f.source_id
                    WHERE f.asset_id = a.id ORDER BY f.status DESC, f.id LIMIT 1) AS location
            FROM assets a WHERE a.id = ANY(%s)
            """,
            (list(ids),),
        )
        return {r["id"]: r for r in rows}

    def quarantined(self) -> list[dict[str, Any]]:
        return self._all(
            """
            SELECT a.id, a.quarantine_reason, a.size_bytes,
                   array_agg(s.name || ':' || f.rel_path ORDER BY f.id) AS locations
            FROM assets a JOIN files f ON f.asset_id = a.id JOIN sources s ON s.id = f.source_id
            WHERE a.status = 'quarantined' AND f.status = 'present'
            GROUP BY a.id ORDER BY a.id
            """
        )

    def kept_without_file(self) -> list[dict[str, Any]]:
        """Edited assets whose files are all gone: kept for a person to delete or keep."""
        return self._all(
            "SELECT id, title, description, tags, edited_at, file_gone_at FROM assets "
            "WHERE file_gone_at IS NOT NULL ORDER BY file_gone_at, id"
        )

    def delete_asset(self, asset_id: int) -> bool:
        """A person's deletion of an asset that has no present file (its missing file rows
        go with it); refuses one that is still present somewhere. False for an unknown id."""
        present = self._one(
            "SELECT count(*) AS n FROM files WHERE asset_id = %s AND status = 'present'",
            (asset_id,),
        )
        if present and present["n"]:
            raise AssetInUseError(
                f"asset {asset_id} still has {present['n']} present file(s); remove or move "
                "the files (or their source) first"
            )
        self.conn.execute("DELETE FROM files WHERE asset_id = %s", (asset_id,))
        with self.conn.cursor() as cur:
            cur.execute("DELETE FROM assets WHERE id = %s", (asset_id,))
            found = cur.rowcount == 1
        self.commit()
        return found

    def status_summary(self) -> dict[str, Any]:
        row = self._one(
            """
            SELECT
              (SELECT count(*) FROM assets) AS assets,
              (SELECT count(*) FROM assets WHERE status = 'probed') AS probed,
              (SELECT count(*) FROM assets WHERE status = 'quarantined') AS quarantined,
              (SELECT count(*) FROM assets WHERE derived_at IS NOT NULL) AS derived,
              (SELECT count(*) FROM assets WHERE indexed_at IS NOT NULL) AS indexed,
              (SELECT count(*) FROM files WHERE status = 'present') AS files_present,
              (SELECT count(*) FROM files WHERE status = 'missing') AS files_missing,
              (SELECT count(*) FROM assets WHERE file_gone_at IS NOT NULL) AS kept_without_file,
              (SELECT coalesce(sum(size_bytes), 0) FROM assets) AS bytes
            """
        )
        return dict(row or {})


def open_catalog(dsn: str, *, migrate: bool = True) -> Catalog:
    """Connect to the catalog and (by default) apply pending migrations."""
    catalog = Catalog(connect(dsn))
    if migrate:
        catalog.migrate()
    return catalog
