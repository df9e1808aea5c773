"""Registered sources: where originals live (a directory or an S3 prefix) and their state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from samples.video_archive.catalog._base import CatalogBase
from samples.video_archive.ingestion.sources import SourceSpec


class SourceNotFoundError(LookupError):
    """No source with that name is registered."""


@dataclass(frozen=True)
class RegisteredSource:
    id: int
    spec: SourceSpec
    status: str
    status_reason: str | None
    last_scan_at: Any


def registered_source(row: dict[str, Any]) -> RegisteredSource:
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


class SourceQueries(CatalogBase):
    """Register, list, update and forget sources (never their originals)."""

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

    def get_source(self, name: str) -> RegisteredSource:
        row = self._one("SELECT * FROM sources WHERE name = %s", (name,))
        if row is None:
            raise SourceNotFoundError(
                f"no source named {name!r}; list them with 'sources list' or add one with "
                "'sources add NAME PATH'"
            )
        return registered_source(row)

    def list_sources(self) -> list[RegisteredSource]:
        return [registered_source(r) for r in self._all("SELECT * FROM sources ORDER BY name")]

    def remove_source(self, name: str) -> tuple[int, int]:
        """Forget a source and its file rows (never the originals). Assets left without a
        file go at the next purge, except those a person edited, which are kept and
        marked as having no file. Returns (files forgotten, edited assets kept)."""
        source = self.get_source(name)
        row = self._one("SELECT count(*) AS n FROM files WHERE source_id = %s", (source.id,))
        self.conn.execute("DELETE FROM sources WHERE id = %s", (source.id,))
        kept = self.mark_fileless_edits()
        self.commit()
        return (int(row["n"]) if row else 0), kept

    def set_source_status(self, source_id: int, status: str, reason: str | None = None) -> None:
        self.conn.execute(
            "UPDATE sources SET status = %s, status_reason = %s, last_scan_at = now() "
            "WHERE id = %s",
            (status, reason, source_id),
        )
