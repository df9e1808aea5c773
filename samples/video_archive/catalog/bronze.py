"""Bronze writes: assets by content fingerprint, files by (source, path), probe results,
quarantine, sidecar descriptions and subtitle cues, missing files and their purge."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import psycopg
from psycopg.types.json import Jsonb

from samples.video_archive.catalog._base import CatalogBase

if TYPE_CHECKING:
    from samples.video_archive.ingestion.sidecars import SubtitleCue

# Columns a probe fills; kept in one place so writes and reads agree.
PROBE_COLUMNS = (
    "container", "duration_s", "width", "height", "fps", "variable_fps", "rotation",
    "video_codec", "audio_codec", "audio_channels", "audio_layout", "bit_rate",
    "creation_time", "camera_make", "camera_model", "gps_lat", "gps_lon",
)  # fmt: skip


@dataclass(frozen=True)
class KnownFile:
    """A file row as the scanner needs it for change detection."""

    asset_id: int
    size: int
    mtime_ns: int
    present: bool
    sidecar_signature: int = 0


class FileRow(NamedTuple):
    """A file as a scan found it, for ``upsert_files``."""

    rel_path: str
    asset_id: int
    size: int
    mtime_ns: int
    sidecar_signature: int = 0


class Purge(NamedTuple):
    """What one purge did: file rows deleted, assets deleted, edited assets kept."""

    files: int
    assets: int
    kept: int


class BronzeQueries(CatalogBase):
    """What a scan records."""

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
        self,
        fingerprint: str,
        size: int,
        full_hash: str | None = None,
        probe_row: dict[str, Any] | None = None,
    ) -> tuple[int, bool]:
        """Asset id for a fingerprint, creating the asset if needed; (id, created). With a
        probe result the asset is recorded as probed in the same statement: one row version
        (and one pass over its indexes) instead of an insert followed by an update."""
        params: dict[str, Any] = {"fingerprint": fingerprint, "size": size, "hash": full_hash}
        probed_columns = probed_values = probed_updates = ""
        if probe_row is not None:
            columns = (*PROBE_COLUMNS, "probe")
            params.update({c: probe_row.get(c) for c in PROBE_COLUMNS})
            params["probe"] = Jsonb(probe_row.get("probe"))
            probed_columns = "".join(f", {c}" for c in columns) + ", status, probed_at"
            probed_values = "".join(f", %({c})s" for c in columns) + ", 'probed', now()"
            probed_updates = (
                "".join(f", {c} = EXCLUDED.{c}" for c in columns)
                + ", status = 'probed', quarantine_reason = NULL, probed_at = now(),"
                " updated_at = now()"
            )
        row = self._one(
            f"""
            INSERT INTO assets (fingerprint, size_bytes, full_hash{probed_columns})
            VALUES (%(fingerprint)s, %(size)s, %(hash)s{probed_values})
            ON CONFLICT (fingerprint) DO UPDATE SET size_bytes = EXCLUDED.size_bytes,
                full_hash = coalesce(EXCLUDED.full_hash, assets.full_hash),
                file_gone_at = NULL{probed_updates}
            RETURNING id, (xmax = 0) AS created
            """,  # noqa: S608 - fixed column names
            params,
        )
        assert row is not None
        return int(row["id"]), bool(row["created"])

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
        """Store what sidecars say; values already set (e.g. by a person) are kept. Declared
        as the pipeline's write, so that it does not count as a human edit (migration 0005)."""
        self.declare_pipeline_write()
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

    def replace_cues(self, asset_id: int, cues: Sequence[SubtitleCue]) -> None:
        """The asset's subtitle cues as its sidecars now give them (none: no subtitles)."""
        self.conn.execute("DELETE FROM subtitle_cues WHERE asset_id = %s", (asset_id,))
        if not cues:
            return
        with self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO subtitle_cues (asset_id, seq, start_s, end_s, text) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(asset_id, seq, c.start_s, c.end_s, c.text) for seq, c in enumerate(cues)],
            )

    def upsert_files(self, source_id: int, rows: Iterable[FileRow]) -> None:
        """Record files as present, in one statement: the trigger that keeps each asset's
        present paths runs once for the batch, not once per file."""
        batch = list(rows)
        if not batch:
            return
        self.conn.execute(
            """
            INSERT INTO files (source_id, rel_path, asset_id, size_bytes, mtime_ns,
                               sidecar_signature)
            SELECT %s, * FROM unnest(%s::text[], %s::bigint[], %s::bigint[], %s::bigint[],
                                     %s::bigint[])
            ON CONFLICT (source_id, rel_path) DO UPDATE SET asset_id = EXCLUDED.asset_id,
                size_bytes = EXCLUDED.size_bytes, mtime_ns = EXCLUDED.mtime_ns,
                sidecar_signature = EXCLUDED.sidecar_signature,
                status = 'present', missing_since = NULL, updated_at = now()
            """,
            (source_id, *(list(column) for column in zip(*batch, strict=True))),
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

    def declare_pipeline_write(self) -> None:
        """Mark the current transaction's descriptive writes as the pipeline's (sidecars),
        not a person's: the edit trigger of migration 0005 then leaves ``edited_at``."""
        self.conn.execute("SELECT set_config('video_archive.writer', 'pipeline', true)")

    def purge_missing(self, grace: timedelta) -> Purge:
        """Delete files missing longer than ``grace`` and assets left with no file at all,
        except assets a person edited: those are kept and marked ``file_gone_at`` until a
        person deletes them (``delete_asset``) or their content is found again.

        An asset whose only path got new content is orphaned at that moment; it stays
        (``updated_at`` is touched then) until the grace period has passed too.
        """
        with self.conn.cursor() as cur:
            cur.execute(
                "DELETE FROM files WHERE status = 'missing' AND missing_since < now() - %s",
                (grace,),
            )
            files = cur.rowcount
            cur.execute(
                "DELETE FROM assets a WHERE a.edited_at IS NULL "
                "AND a.updated_at < now() - %s AND NOT EXISTS "
                "(SELECT 1 FROM files f WHERE f.asset_id = a.id)",
                (grace,),
            )
            assets = cur.rowcount
        kept = self.mark_fileless_edits()
        self.commit()
        return Purge(files, assets, kept)
