"""The catalog side of search (PostgreSQL): filters, full-text keyword search, and the
cards of assets another ranking (the semantic index) chose.

Searches only ever return assets that were probed (not quarantined) and have at least one
present file. Filters apply in SQL, each one able to use an index of migrations 0003/0004.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg

# Result counts stop here: "more than 10,000" is all a person needs to know.
COUNT_CAP = 10_000


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


CARD_COLUMNS = """
    a.id, a.title, a.duration_s, a.width, a.height, a.rotation, a.video_codec, a.tags,
    a.poster_path IS NOT NULL AS has_poster, a.creation_time, loc.location
"""
LOCATION_JOIN = """
    JOIN LATERAL (
        SELECT s.name || ':' || f.rel_path AS location FROM files f
        JOIN sources s ON s.id = f.source_id
        WHERE f.asset_id = a.id AND f.status = 'present' ORDER BY f.id LIMIT 1
    ) loc ON true
"""


# Word matching, stemming and stop words: one text-search configuration for documents
# (migration 0004) and queries alike.
TEXT_SEARCH_CONFIG = "pg_catalog.english"


def filter_sql(filters: Filters) -> tuple[list[str], list[Any]]:
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
    title and tags weighing most (``score``); an empty query lists the catalog newest first. Returns
    (one page of cards, total matches up to COUNT_CAP + 1).

    A page is one round trip; an empty query needs a second (capped) count only when the
    page is full."""
    clauses, params = filter_sql(filters)
    # Only assets that can be played: present_paths is NULL without a present file.
    clauses.append("a.present_paths IS NOT NULL")
    where = " AND ".join(clauses)
    text = query.strip()
    if text:
        tsquery = f"websearch_to_tsquery('{TEXT_SEARCH_CONFIG}', %s)"
        # Every match is ranked anyway, so the count rides along as a window aggregate over
        # narrow (id, score) rows; only the page's rows are read in full afterwards.
        sql = f"""
            SELECT {CARD_COLUMNS}, r.score, r.total FROM (
                SELECT m.id, m.score, count(*) OVER () AS total FROM (
                    SELECT a.id, ts_rank(a.search_document, {tsquery}) AS score
                    FROM assets a WHERE {where} AND a.search_document @@ {tsquery}
                ) m ORDER BY m.score DESC, m.id DESC LIMIT %s OFFSET %s
            ) r JOIN assets a ON a.id = r.id {LOCATION_JOIN}
            ORDER BY r.score DESC, r.id DESC
        """  # noqa: S608 - fixed fragments, values are parameters
        sql_params = [text, *params, text, limit, offset]
    else:
        # Newest first: a backward walk of the primary key that stops after one page.
        sql = f"""
            SELECT {CARD_COLUMNS}, NULL::real AS score, NULL::bigint AS total FROM (
                SELECT a.id FROM assets a WHERE {where} ORDER BY a.id DESC LIMIT %s OFFSET %s
            ) r JOIN assets a ON a.id = r.id {LOCATION_JOIN}
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


def ranked_cards(
    conn: psycopg.Connection,
    ranked_ids: Sequence[int],
    filters: Filters,
    *,
    limit: int,
    offset: int = 0,
    scores: Sequence[float] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of cards for ids another ranking chose (best first), keeping those that
    pass the filters, in that order; and how many passed. One round trip: the filters run
    over narrow (id, rank) rows and only the page's cards are read in full."""
    if not ranked_ids:
        return [], 0
    clauses, params = filter_sql(filters)
    score_list = list(scores) if scores is not None else [None] * len(ranked_ids)
    sql = f"""
        WITH ranked AS (
            SELECT r.id, r.score, r.rank
            FROM unnest(%s::bigint[], %s::float8[]) WITH ORDINALITY AS r(id, score, rank)
        ), page AS (
            SELECT ranked.id, ranked.score, ranked.rank, count(*) OVER () AS total
            FROM ranked JOIN assets a ON a.id = ranked.id
            WHERE {" AND ".join(clauses)} AND a.present_paths IS NOT NULL
            ORDER BY ranked.rank LIMIT %s OFFSET %s
        )
        SELECT {CARD_COLUMNS}, page.score, page.total
        FROM page JOIN assets a ON a.id = page.id {LOCATION_JOIN}
        ORDER BY page.rank
    """  # noqa: S608 - fixed fragments, values are parameters
    with conn.cursor() as cur:
        cur.execute(sql, [list(ranked_ids), score_list, *params, limit, offset])
        rows = list(cur.fetchall())
    total = 0
    for row in rows:
        total = int(row.pop("total"))
    if not rows and offset:
        # Past the last page: count what passed the filters.
        _, total = ranked_cards(conn, ranked_ids, filters, limit=1, offset=0, scores=scores)
    return rows, total
