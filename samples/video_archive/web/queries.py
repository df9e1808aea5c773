"""The catalog reads and writes the web service needs beyond the pipeline's repository
and the search path (samples/video_archive/search/): facets, near duplicates, sources,
playable files and a person's edits."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import psycopg

from samples.video_archive.search.catalog_queries import CARD_COLUMNS, LOCATION_JOIN

MAX_TAGS = 50
MAX_TAG_LENGTH = 64
NEAR_DUPLICATE_MAX_DISTANCE = 10
_TAG_OK = re.compile(r"^[\w][\w .:+#&'-]*$", re.UNICODE)


class EditError(ValueError):
    """A tag or description that cannot be stored."""


def facets(conn: psycopg.Connection) -> dict[str, list[str]]:
    """Values the filter controls offer: codecs, sources and the most used tags."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT video_codec AS v FROM assets "
            "WHERE status = 'probed' AND video_codec IS NOT NULL ORDER BY 1"
        )
        codecs = [r["v"] for r in cur.fetchall()]
        cur.execute("SELECT name AS v FROM sources ORDER BY name")
        sources = [r["v"] for r in cur.fetchall()]
        cur.execute(
            "SELECT t AS v, count(*) AS n FROM assets, unnest(tags) AS t "
            "WHERE status = 'probed' GROUP BY t ORDER BY n DESC, t LIMIT 30"
        )
        tags = [r["v"] for r in cur.fetchall()]
    return {"codecs": codecs, "sources": sources, "tags": tags}


def near_duplicates(
    conn: psycopg.Connection, asset_id: int, phash: str | None, *, limit: int = 8
) -> list[dict[str, Any]]:
    """Other assets whose perceptual hash differs in at most a few bits."""
    if not phash or not re.fullmatch(r"[0-9a-f]{16}", phash):
        return []
    with conn.cursor() as cur:
        cur.execute(
            f"""
            SELECT * FROM (
              SELECT {CARD_COLUMNS},
                     bit_count(('x' || a.phash)::bit(64) # ('x' || %s)::bit(64)) AS distance
              FROM assets a {LOCATION_JOIN}
              WHERE a.phash IS NOT NULL AND length(a.phash) = 16 AND a.id <> %s
                AND a.status = 'probed'
            ) d WHERE distance <= %s ORDER BY distance, id LIMIT %s
            """,  # noqa: S608
            (phash, asset_id, NEAR_DUPLICATE_MAX_DISTANCE, limit),
        )
        return list(cur.fetchall())


def sources_overview(conn: psycopg.Connection) -> list[dict[str, Any]]:
    with conn.cursor() as cur:
        cur.execute(
            """
            SELECT s.id, s.name, s.kind, s.uri, s.status, s.status_reason, s.last_scan_at,
                   count(f.id) FILTER (WHERE f.status = 'present') AS files_present,
                   count(f.id) FILTER (WHERE f.status = 'missing') AS files_missing,
                   count(DISTINCT f.asset_id) FILTER (WHERE a.status = 'quarantined'
                         AND f.status = 'present') AS quarantined
            FROM sources s LEFT JOIN files f ON f.source_id = s.id
            LEFT JOIN assets a ON a.id = f.asset_id
            GROUP BY s.id ORDER BY s.name
            """
        )
        return list(cur.fetchall())


def playable_files(conn: psycopg.Connection, asset_id: int) -> list[dict[str, Any]]:
    """Present files of an asset on sources that are not offline, first-registered first."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT s.kind, s.uri, s.name AS source, f.rel_path, f.size_bytes "
            "FROM files f JOIN sources s ON s.id = f.source_id "
            "WHERE f.asset_id = %s AND f.status = 'present' AND s.status <> 'offline' "
            "ORDER BY f.id",
            (asset_id,),
        )
        return list(cur.fetchall())


def normalise_tags(raw: Sequence[str]) -> list[str]:
    """Trimmed, lower-case, de-duplicated tags in the order given; refuses odd ones."""
    tags: list[str] = []
    for tag in raw:
        cleaned = " ".join(tag.split()).lower()
        if not cleaned:
            continue
        if len(cleaned) > MAX_TAG_LENGTH or not _TAG_OK.match(cleaned):
            raise EditError(
                f"tag {cleaned[:40]!r} is not allowed: use letters, digits, spaces and "
                f"- _ . : + # & ' (at most {MAX_TAG_LENGTH} characters)"
            )
        if cleaned not in tags:
            tags.append(cleaned)
    if len(tags) > MAX_TAGS:
        raise EditError(f"at most {MAX_TAGS} tags per video")
    return tags


def update_descriptive(
    conn: psycopg.Connection,
    asset_id: int,
    *,
    tags: Sequence[str] | None = None,
    description: str | None = None,
    title: str | None = None,
) -> bool:
    """Store a person's edits in the catalog (never in the original). The asset row is keyed
    by content fingerprint, so edits follow the video through moves and rescans; bumping
    ``updated_at`` makes the next gold run re-index it. Returns False for an unknown id."""
    sets: list[str] = []
    params: list[Any] = []
    if tags is not None:
        sets.append("tags = %s::text[]")
        params.append(normalise_tags(tags))
    if description is not None:
        sets.append("description = %s")
        params.append(description.strip() or None)
    if title is not None:
        sets.append("title = %s")
        params.append(title.strip() or None)
    sets.append("updated_at = now()")
    with conn.cursor() as cur:
        cur.execute(
            f"UPDATE assets SET {', '.join(sets)} WHERE id = %s",  # noqa: S608 - fixed columns
            [*params, asset_id],
        )
        found = cur.rowcount == 1
    conn.commit()
    return found
