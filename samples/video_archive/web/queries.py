"""The catalog reads and writes the web service needs, beyond the pipeline's repository.

Searches always return assets that were probed (not quarantined) and have at least one
present file. Filters apply in SQL; ranking comes from the keyword match here or from the
semantic index (whose ids arrive in ranking order).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg

MAX_TAGS = 50
MAX_TAG_LENGTH = 64
NEAR_DUPLICATE_MAX_DISTANCE = 10
# Result counts stop here: "more than 10,000" is all a person needs to know.
COUNT_CAP = 10_000
_TAG_OK = re.compile(r"^[\w][\w .:+#&'-]*$", re.UNICODE)


class EditError(ValueError):
    """A tag or description that cannot be stored."""


@dataclass(frozen=True)
class Filters:
    """Everything a search can be restricted by; None or empty means no restriction."""

    min_duration_s: float | None = None
    max_duration_s: float | None = None
    min_height: int | None = None
    max_height: int | None = None
    video_codec: str | None = None
    source: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    date_from: date | None = None
    date_to: date | None = None


_CARD_COLUMNS = """
    a.id, a.title, a.duration_s, a.width, a.height, a.rotation, a.video_codec, a.tags,
    a.poster_path IS NOT NULL AS has_poster, a.creation_time, loc.location
"""
_LOCATION_JOIN = """
    JOIN LATERAL (
        SELECT s.name || ':' || f.rel_path AS location FROM files f
        JOIN sources s ON s.id = f.source_id
        WHERE f.asset_id = a.id AND f.status = 'present' ORDER BY f.id LIMIT 1
    ) loc ON true
"""


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _filter_sql(filters: Filters) -> tuple[list[str], list[Any]]:
    clauses: list[str] = ["a.status = 'probed'"]
    params: list[Any] = []
    checks: list[tuple[str, Any]] = [
        ("a.duration_s >= %s", filters.min_duration_s),
        ("a.duration_s <= %s", filters.max_duration_s),
        ("a.height >= %s", filters.min_height),
        ("a.height <= %s", filters.max_height),
        ("a.video_codec = %s", filters.video_codec or None),
        ("coalesce(a.creation_time, a.created_at)::date >= %s", filters.date_from),
        ("coalesce(a.creation_time, a.created_at)::date <= %s", filters.date_to),
    ]
    for sql, value in checks:
        if value is not None:
            clauses.append(sql)
            params.append(value)
    if filters.tags:
        clauses.append("a.tags @> %s::text[]")
        params.append([t.lower() for t in filters.tags])
    if filters.source:
        clauses.append(
            "EXISTS (SELECT 1 FROM files sf JOIN sources ss ON ss.id = sf.source_id "
            "WHERE sf.asset_id = a.id AND sf.status = 'present' AND ss.name = %s)"
        )
        params.append(filters.source)
    return clauses, params


def keyword_search(
    conn: psycopg.Connection,
    words: Sequence[str],
    filters: Filters,
    *,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Assets where every word appears in the title, tags, description, sidecar text or a
    present file's path; tag and title matches rank first. Returns (one page of cards, total
    matches). The stored search text and the paths have trigram indexes (migration 0003)."""
    clauses, params = _filter_sql(filters)
    # Only assets that can be played: at least one present file.
    # (LIMIT keeps PostgreSQL from turning this into a hash of every file: with few
    # candidates, one index probe each is far cheaper.)
    clauses.append(
        "(SELECT true FROM files pf WHERE pf.asset_id = a.id AND pf.status = 'present' LIMIT 1)"
    )
    rank_terms: list[str] = []
    rank_params: list[Any] = []
    for word in words:
        pattern = _like(word.lower())
        clauses.append(
            "a.id IN (SELECT ta.id FROM assets ta WHERE ta.search_text LIKE %s "
            "UNION SELECT kf.asset_id FROM files kf "
            "WHERE lower(kf.rel_path) LIKE %s AND kf.status = 'present')"
        )
        params.extend([pattern, pattern])
        rank_terms.append("(CASE WHEN %s = ANY(a.tags) THEN 4 ELSE 0 END)")
        rank_terms.append("(CASE WHEN array_to_string(a.tags, ' ') ILIKE %s THEN 3 ELSE 0 END)")
        rank_terms.append("(CASE WHEN a.title ILIKE %s THEN 2 ELSE 0 END)")
        rank_terms.append("(CASE WHEN a.description ILIKE %s THEN 1 ELSE 0 END)")
        rank_params.extend([word.lower(), pattern, pattern, pattern])
    rank = " + ".join(rank_terms) or "0::int"
    # The page is chosen first; locations are looked up for its rows only.
    sql = (
        "SELECT p.id, p.title, p.duration_s, p.width, p.height, p.rotation, p.video_codec, "  # noqa: S608 - fixed fragments, values are parameters
        "p.tags, p.has_poster, p.creation_time, loc.location FROM ("
        "  SELECT a.id, a.title, a.duration_s, a.width, a.height, a.rotation, a.video_codec, "
        "  a.tags, a.poster_path IS NOT NULL AS has_poster, a.creation_time, "
        f"  ({rank}) AS score FROM assets a "
        f"  WHERE {' AND '.join(clauses)} ORDER BY score DESC, a.id DESC LIMIT %s OFFSET %s"
        ") p JOIN LATERAL ("
        "  SELECT s.name || ':' || f.rel_path AS location FROM files f "
        "  JOIN sources s ON s.id = f.source_id "
        "  WHERE f.asset_id = p.id AND f.status = 'present' ORDER BY f.id LIMIT 1"
        ") loc ON true ORDER BY p.score DESC, p.id DESC"
    )
    with conn.cursor() as cur:
        cur.execute(sql, [*rank_params, *params, limit, offset])
        rows = list(cur.fetchall())
    if not rows and not offset:
        return [], 0
    if offset == 0 and len(rows) < limit:
        return rows, len(rows)
    return rows, count_matches(conn, clauses, params)


def count_matches(conn: psycopg.Connection, clauses: list[str], params: list[Any]) -> int:
    """How many assets match, counted up to COUNT_CAP (beyond that the exact number costs
    more than it tells anyone)."""
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT count(*) AS n FROM (SELECT 1 FROM assets a WHERE {' AND '.join(clauses)} "  # noqa: S608
            "LIMIT %s) c",
            [*params, COUNT_CAP + 1],
        )
        row = cur.fetchone()
    return int(row["n"]) if row else 0


def cards_for_ids(
    conn: psycopg.Connection, ranked_ids: Sequence[int], filters: Filters
) -> list[dict[str, Any]]:
    """Cards for index hits, filtered, in the order the index ranked them."""
    if not ranked_ids:
        return []
    clauses, params = _filter_sql(filters)
    clauses.append("a.id = ANY(%s)")
    params.append(list(ranked_ids))
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT {_CARD_COLUMNS} FROM assets a {_LOCATION_JOIN} "  # noqa: S608
            f"WHERE {' AND '.join(clauses)}",
            params,
        )
        by_id = {r["id"]: r for r in cur.fetchall()}
    return [by_id[i] for i in ranked_ids if i in by_id]


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
              SELECT {_CARD_COLUMNS},
                     bit_count(('x' || a.phash)::bit(64) # ('x' || %s)::bit(64)) AS distance
              FROM assets a {_LOCATION_JOIN}
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
