"""Catalog queries. Every write is an upsert keyed by fingerprint or (source, path).

Identity model: an *asset* is one distinct content (unique fingerprint) and carries all
metadata; a *file* is one place where that content lives (source + relative path). Moving
a file adds a file row for the new path and marks the old one missing; the asset, its id
and its metadata stay. Missing files are soft-deleted and purged after a grace period.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from integrations.postgres import apply_migrations, connect
from samples.video_archive.ingestion.sources import SourceSpec

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# Columns a probe fills; kept in one place so writes and reads agree.
PROBE_COLUMNS = (
    "container", "duration_s", "width", "height", "fps", "variable_fps", "rotation",
    "video_codec", "audio_codec", "audio_channels", "audio_layout", "bit_rate",
    "creation_time", "camera_make", "camera_model", "gps_lat", "gps_lon",
)  # fmt: skip


class SourceNotFoundError(LookupError):
    """No source with that name is registered."""


@dataclass(frozen=True)
class KnownFile:
    """A file row as the scanner needs it for change detection."""

    asset_id: int
    size: int
    mtime_ns: int
    present: bool
    sidecar_signature: int = 0


@dataclass(frozen=True)
class RegisteredSource:
    id: int
    spec: SourceSpec
    status: str
    status_reason: str | None
    last_scan_at: Any


class Catalog:
    """Thin, typed access to the catalog tables over one connection."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    # -- lifecycle -------------------------------------------------------------------
    def migrate(self) -> list[int]:
        """Bring the schema up to date; return the migration numbers applied now."""
        return apply_migrations(self.conn, MIGRATIONS_DIR)

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()

    def _all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall())

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> dict[str, Any] | None:
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()

    # -- sources ---------------------------------------------------------------------
    def add_source(self, spec: SourceSpec) -> RegisteredSource:
        """Register a source, or update its URI and globs when the name exists."""
        self._one(
            """
            INSERT INTO sources (name, kind, uri, include_globs, exclude_globs)
            VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, uri = EXCLUDED.uri,
                include_globs = EXCLUDED.include_globs, exclude_globs = EXCLUDED.exclude_globs
            RETURNING id
            """,
            (spec.name, spec.kind, spec.uri, list(spec.include_globs), list(spec.exclude_globs)),
        )
        self.commit()
        return self.get_source(spec.name)

    @staticmethod
    def _source(row: dict[str, Any]) -> RegisteredSource:
        spec = SourceSpec(
            row["name"],
            row["kind"],
            row["uri"],
            tuple(row["include_globs"]),
            tuple(row["exclude_globs"]),
        )
        return RegisteredSource(
            row["id"], spec, row["status"], row["status_reason"], row["last_scan_at"]
        )

    def get_source(self, name: str) -> RegisteredSource:
        row = self._one("SELECT * FROM sources WHERE name = %s", (name,))
        if row is None:
            raise SourceNotFoundError(
                f"no source named {name!r}; list them with 'sources list' or add one with "
                "'sources add NAME PATH'"
            )
        return self._source(row)

    def list_sources(self) -> list[RegisteredSource]:
        return [self._source(r) for r in self._all("SELECT * FROM sources ORDER BY name")]

    def remove_source(self, name: str) -> int:
        """Forget a source and its file rows (never the originals); return files forgotten."""
        source = self.get_source(name)
        row = self._one("SELECT count(*) AS n FROM files WHERE source_id = %s", (source.id,))
        self.conn.execute("DELETE FROM sources WHERE id = %s", (source.id,))
        self.commit()
        return int(row["n"]) if row else 0

    def set_source_status(self, source_id: int, status: str, reason: str | None = None) -> None:
        self.conn.execute(
            "UPDATE sources SET status = %s, status_reason = %s, last_scan_at = now() "
            "WHERE id = %s",
            (status, reason, source_id),
        )

    # -- files and assets (bronze) ----------------------------------------------------
    def known_files(self, source_id: int) -> dict[str, KnownFile]:
        with self.conn.cursor(row_factory=psycopg.rows.tuple_row) as cur:
            cur.execute(
                "SELECT rel_path, asset_id, size_bytes, mtime_ns, status = 'present', "
                "sidecar_signature FROM files WHERE source_id = %s",
                (source_id,),
            )
            return {r[0]: KnownFile(r[1], r[2], r[3], r[4], r[5]) for r in cur}

    def settled_fingerprints(self) -> dict[str, tuple[int, str]]:
        """fingerprint -> (asset id, status) for assets already probed or quarantined."""
        with self.conn.cursor(row_factory=psycopg.rows.tuple_row) as cur:
            cur.execute("SELECT fingerprint, id, status FROM assets WHERE status <> 'registered'")
            return {r[0]: (r[1], r[2]) for r in cur}

    def upsert_asset(
        self, fingerprint: str, size: int, full_hash: str | None = None
    ) -> tuple[int, bool]:
        """Asset id for a fingerprint, creating the asset if needed; (id, created)."""
        row = self._one(
            """
            INSERT INTO assets (fingerprint, size_bytes, full_hash) VALUES (%s, %s, %s)
            ON CONFLICT (fingerprint) DO UPDATE SET size_bytes = EXCLUDED.size_bytes,
                full_hash = coalesce(EXCLUDED.full_hash, assets.full_hash)
            RETURNING id, (xmax = 0) AS created
            """,
            (fingerprint, size, full_hash),
        )
        assert row is not None
        return int(row["id"]), bool(row["created"])

    def record_probe(self, asset_id: int, probe_row: dict[str, Any]) -> None:
        assignments = ", ".join(f"{c} = %({c})s" for c in PROBE_COLUMNS)
        params = {c: probe_row.get(c) for c in PROBE_COLUMNS}
        params.update(id=asset_id, probe=Jsonb(probe_row.get("probe")))
        self.conn.execute(
            f"UPDATE assets SET {assignments}, probe = %(probe)s, status = 'probed', "  # noqa: S608 - fixed column names
            "quarantine_reason = NULL, probed_at = now(), updated_at = now() WHERE id = %(id)s",
            params,
        )

    def quarantine(self, asset_id: int, reason: str) -> None:
        self.conn.execute(
            "UPDATE assets SET status = 'quarantined', quarantine_reason = %s, "
            "updated_at = now() WHERE id = %s",
            (reason, asset_id),
        )

    def record_description(
        self,
        asset_id: int,
        *,
        title: str | None,
        description: str | None,
        tags: list[str],
        sidecar_text: str | None,
    ) -> None:
        """Store what sidecars say; values already set (e.g. by a person) are kept."""
        self.conn.execute(
            """
            UPDATE assets SET title = coalesce(title, %s), description = coalesce(description, %s),
                tags = ARRAY(SELECT DISTINCT unnest(tags || %s::text[])),
                sidecar_text = coalesce(%s, sidecar_text),
                updated_at = now()
            WHERE id = %s
            """,
            (title, description, tags, sidecar_text, asset_id),
        )

    def upsert_file(
        self,
        source_id: int,
        rel_path: str,
        asset_id: int,
        size: int,
        mtime_ns: int,
        sidecar_signature: int = 0,
    ) -> None:
        self.conn.execute(
            """
            INSERT INTO files (source_id, rel_path, asset_id, size_bytes, mtime_ns,
                               sidecar_signature)
            VALUES (%s, %s, %s, %s, %s, %s)
            ON CONFLICT (source_id, rel_path) DO UPDATE SET asset_id = EXCLUDED.asset_id,
                size_bytes = EXCLUDED.size_bytes, mtime_ns = EXCLUDED.mtime_ns,
                sidecar_signature = EXCLUDED.sidecar_signature,
                status = 'present', missing_since = NULL, updated_at = now()
            """,
            (source_id, rel_path, asset_id, size, mtime_ns, sidecar_signature),
        )

    def touch_asset(self, asset_id: int) -> None:
        self.conn.execute("UPDATE assets SET updated_at = now() WHERE id = %s", (asset_id,))

    def mark_missing(self, source_id: int, rel_paths: Iterable[str]) -> int:
        """Soft-delete files no longer found; return how many changed state."""
        paths = list(rel_paths)
        if not paths:
            return 0
        with self.conn.cursor() as cur:
            cur.execute(
                "UPDATE files SET status = 'missing', missing_since = now(), updated_at = now() "
                "WHERE source_id = %s AND rel_path = ANY(%s) AND status = 'present'",
                (source_id, paths),
            )
            return cur.rowcount

    def purge_missing(self, grace: timedelta) -> tuple[int, int]:
        """Delete files missing longer than ``grace`` and assets left with no file at all.

        An asset whose only path got new content is orphaned at that moment; it stays
        (``updated_at`` is touched then) until the grace period has passed too.

        Returns (files purged, assets purged).
        """
        with self.conn.cursor() as cur:
            cur.execute(
                "DELETE FROM files WHERE status = 'missing' AND missing_since < now() - %s",
                (grace,),
            )
            files = cur.rowcount
            cur.execute(
                "DELETE FROM assets a WHERE a.updated_at < now() - %s AND NOT EXISTS "
                "(SELECT 1 FROM files f WHERE f.asset_id = a.id)",
                (grace,),
            )
            assets = cur.rowcount
        self.commit()
        return files, assets

    # -- runs ------------------------------------------------------------------------
    def record_run(
        self,
        run_id: str,
        layer: str,
        source_name: str | None,
        counts: dict[str, int],
        errors: list[dict[str, str]],
    ) -> None:
        self.conn.execute(
            """
            INSERT INTO runs (run_id, layer, source_name, counts, errors, finished_at)
            VALUES (%s, %s, %s, %s, %s, now())
            ON CONFLICT (run_id, layer, source_name) DO UPDATE SET counts = EXCLUDED.counts,
                errors = EXCLUDED.errors, finished_at = now()
            """,
            (run_id, layer, source_name, Jsonb(counts), Jsonb(errors)),
        )
        self.commit()

    def runs(self, run_id: str) -> list[dict[str, Any]]:
        return self._all(
            "SELECT layer, source_name, counts, errors, started_at, finished_at FROM runs "
            "WHERE run_id = %s ORDER BY id",
            (run_id,),
        )

    # -- silver / gold ---------------------------------------------------------------
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
        return (self._source(row).spec, row["rel_path"]) if row else None

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
