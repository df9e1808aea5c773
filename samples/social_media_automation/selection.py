"""Pick candidates from the archive catalog: new since the last run, by tag, or by a saved
search; only probed assets with a present file; never an (asset, platform) pair that already
has a draft or a post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from samples.video_archive.catalog import Catalog
from samples.video_archive.ingestion.sources import open_source

MODES = ("new", "tag", "search", "all")
_SIDECAR_SUFFIXES = (".srt",)
_MAX_SUBTITLE_BYTES = 1_000_000


@dataclass(frozen=True)
class Candidate:
    asset: dict[str, Any]
    location: str  # what ffmpeg reads: a local path or a (signed) URL
    rel_path: str
    subtitles_srt: str | None

    @property
    def asset_id(self) -> int:
        return int(self.asset["id"])


def _subtitles(source: Any, rel_path: str) -> str | None:
    path = PurePosixPath(rel_path)
    for stem in (str(path.with_suffix("")), rel_path):
        for suffix in _SIDECAR_SUFFIXES:
            try:
                raw = source.read_bytes(f"{stem}{suffix}", _MAX_SUBTITLE_BYTES)
            except (OSError, ValueError, RuntimeError):
                continue
            if raw:
                return raw.decode("utf-8", errors="replace")
    return None


def select_assets(
    catalog: Catalog,
    *,
    mode: str = "new",
    value: str | None = None,
    since: datetime | None = None,
    limit: int = 20,
) -> list[dict[str, Any]]:
    if mode not in MODES:
        raise ValueError(f"selection mode must be one of {', '.join(MODES)}")
    where = ["a.status = 'probed'", "a.duration_s IS NOT NULL"]
    params: list[Any] = []
    if mode == "new" and since is not None:
        where.append("a.created_at > %s")
        params.append(since)
    elif mode == "tag":
        if not value:
            raise ValueError("selection by tag needs a tag")
        where.append("%s = ANY(a.tags)")
        params.append(value)
    elif mode == "search":
        if not value:
            raise ValueError("selection by saved search needs the search text")
        where.append(
            "concat_ws(' ', a.title, a.description, a.sidecar_text, a.transcript, "
            "array_to_string(a.tags, ' ')) ILIKE %s"
        )
        params.append(f"%{value}%")
    where.append("EXISTS (SELECT 1 FROM files f WHERE f.asset_id = a.id AND f.status = 'present')")
    params.append(limit)
    sql = f"SELECT a.* FROM assets a WHERE {' AND '.join(where)} ORDER BY a.id LIMIT %s"  # noqa: S608 - fixed clauses
    return [dict(r) for r in catalog.conn.execute(sql, params).fetchall()]


def candidates(catalog: Catalog, assets: list[dict[str, Any]]) -> list[Candidate]:
    found: list[Candidate] = []
    for asset in assets:
        where = catalog.present_location(int(asset["id"]))
        if where is None:
            continue
        spec, rel_path = where
        source = open_source(spec)
        found.append(
            Candidate(
                asset, source.media_location(rel_path), rel_path, _subtitles(source, rel_path)
            )
        )
    return found
