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


# Word matching, stemming and stop words: one text-search configuration for documents
# (migration 0004) and queries alike.
TEXT_SEARCH_CONFIG = "pg_catalog.english"


def _filter_sql(filters: Filters) -> tuple[list[str], list[Any]]:
    """WHERE clauses for the filters; each one can use an index of migration 0004 (or the
    tags GIN index of 0003)."""
    clauses: list[str] = ["a.status = 'probed'"]
    params: list[Any] = []
    checks: list[tuple[str, Any]] = [
        ("a.duration_s >= %s", filters.min_duration_s),
        ("a.duration_s <= %s", filters.max_duration_s),
        ("a.height >= %s", filters.min_height),
        ("a.height <= %s", filters.max_height),
        ("a.video_codec = %s", filters.video_codec or None),
        # Whole days in the session's time zone, written as a range over the indexed
        # expression (a ::date cast of a timestamptz could not be indexed).
        ("coalesce(a.creation_time, a.created_at) >= %s::date", filters.date_from),
        ("coalesce(a.creation_time, a.created_at) < %s::date + 1", filters.date_to),
    ]
    for sql, value in checks:
        if value is not None:
            clauses.append(sql)
            params.append(value)
    if filters.tags:
        clauses.append("a.tags @> %s::text[]")
        params.append([t.lower() for t in filters.tags])
    if filters.source:
        # An unknown name gives ARRAY[NULL], which contains nothing: no results.
        clauses.append(
            "a.present_source_ids @> ARRAY[(SELECT ss.id FROM sources ss WHERE ss.name = %s)]"
        )
        params.append(filters.source)
    return clauses, params


def keyword_search(
    conn: psycopg.Connection,
    query: str,
    filters: Filters,
    *,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Full-text search over title, tags, description, sidecar text, transcript and present
    paths (web-search syntax: ``"a phrase"``, ``or``, ``-word``), ranked by ts_rank with
    title and tags weighing most; an empty query lists the catalog newest first. Returns
    (one page of cards, total matches up to COUNT_CAP + 1).

    A page is one round trip; an empty query needs a second (capped) count only when the
    page is full."""
    clauses, params = _filter_sql(filters)
    # Only assets that can be played: present_paths is NULL without a present file.
    clauses.append("a.present_paths IS NOT NULL")
    where = " AND ".join(clauses)
    text = query.strip()
    if text:
        tsquery = f"websearch_to_tsquery('{TEXT_SEARCH_CONFIG}', %s)"
        # Every match is ranked anyway, so the count rides along as a window aggregate over
        # narrow (id, score) rows; only the page's rows are read in full afterwards.
        sql = f"""
            SELECT {_CARD_COLUMNS}, r.total FROM (
                SELECT m.id, m.score, count(*) OVER () AS total FROM (
                    SELECT a.id, ts_rank(a.search_document, {tsquery}) AS score
                    FROM assets a WHERE {where} AND a.search_document @@ {tsquery}
                ) m ORDER BY m.score DESC, m.id DESC LIMIT %s OFFSET %s
            ) r JOIN assets a ON a.id = r.id {_LOCATION_JOIN}
            ORDER BY r.score DESC, r.id DESC
        """  # noqa: S608 - fixed fragments, values are parameters
        sql_params = [text, *params, text, limit, offset]
    else:
        # Newest first: a backward walk of the primary key that stops after one page.
        sql = f"""
            SELECT {_CARD_COLUMNS}, NULL::bigint AS total FROM (
                SELECT a.id FROM assets a WHERE {where} ORDER BY a.id DESC LIMIT %s OFFSET %s
            ) r JOIN assets a ON a.id = r.id {_LOCATION_JOIN}
            ORDER BY a.id DESC
        """  # noqa: S608 - fixed fragments, values are parameters
        sql_params = [*params, limit, offset]
    with conn.cursor() as cur:
        cur.execute(sql, sql_params)
        rows = list(cur.fetchall())
    counted = None
    for row in rows:
        counted = row.pop("total")
    if counted is not None:
        return rows, min(int(counted), COUNT_CAP + 1)
    if not rows and not offset:
        return [], 0
    if offset == 0 and len(rows) < limit:
        return rows, len(rows)
    if text:
        clauses.append(f"a.search_document @@ websearch_to_tsquery('{TEXT_SEARCH_CONFIG}', %s)")
        params.append(text)
    return rows, count_matches(conn, clauses, params)


def count_matches(conn: psycopg.Connection, clauses: list[str], params: list[Any]) -> int:
    """How many assets match, counted up to COUNT_CAP + 1 (beyond that the exact number
    costs more than it tells anyone)."""
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
