"""Keyword search in the catalog (migration 0004): full-text matching with web-search syntax,
ranking, filters, the present-file bookkeeping kept by triggers, and query plans that can
use the indexes. A small catalog written directly, in its own database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import psycopg
import pytest

from samples.video_archive.catalog import Catalog, open_catalog
from samples.video_archive.catalog.bronze import FileRow
from samples.video_archive.ingestion.sources import spec_from_uri
from samples.video_archive.search import catalog_queries
from samples.video_archive.search.catalog_queries import Filters, keyword_search

pytestmark = pytest.mark.slow

# rel_path, title, tags, description, sidecar text, codec, height, duration, recorded
ASSETS = [
    ("harbour/ferry_dawn.mp4", "Ferry at dawn", ["harbour"], "Boats leaving the quay", None,
     "h264", 1080, 12.0, "2024-05-01"),
    ("trips/lisbon tram ride.mp4", None, [], None, None, "hevc", 2160, 300.0, "2023-01-02"),
    ("misc/clip01.mp4", "Birthday", ["family"], "Cake and candles, later a ferry trip", None,
     "vp9", 480, 45.0, "2022-07-03"),
    ("misc/clip02.mp4", "Market", [], "Spice market", "A lighthouse keeper sells ferries", "h264",
     720, 90.0, "2021-03-04"),
]  # fmt: skip


@pytest.fixture(scope="module")
def catalog(new_database: Callable[[str], str]) -> Iterator[Catalog]:
    catalog = open_catalog(new_database("keyword_search"))
    source = catalog.add_source(spec_from_uri("nas", "/srv/nas"))
    catalog.add_source(spec_from_uri("camera", "/srv/camera"))
    for i, (path, title, tags, description, sidecar, codec, height, duration, day) in enumerate(
        ASSETS
    ):
        asset_id, _ = catalog.upsert_asset(
            f"fp:test:{i}",
            1000,
            probe_row={"video_codec": codec, "height": height, "width": height * 16 // 9,
             "duration_s": duration, "creation_time": f"{day}T12:00:00Z"},
        )  # fmt: skip
        catalog.record_description(
            asset_id, title=title, description=description, tags=tags, sidecar_text=sidecar
        )
        catalog.upsert_files(source.id, [FileRow(path, asset_id, 1000, 1)])
    catalog.commit()
    yield catalog
    catalog.close()


def _paths(catalog: Catalog, query: str, filters: Filters | None = None) -> list[str]:
    rows, total = keyword_search(catalog.conn, query, filters or Filters(), limit=24, offset=0)
    assert total == len(rows)
    return [r["location"].split(":", 1)[1] for r in rows]


def test_words_match_every_field_with_stemming(catalog: Catalog) -> None:
    assert _paths(catalog, "lighthouse") == ["misc/clip02.mp4"]  # sidecar text
    assert _paths(catalog, "candles") == ["misc/clip01.mp4"]  # description
    assert _paths(catalog, "lisbon tram") == ["trips/lisbon tram ride.mp4"]  # path words
    assert _paths(catalog, "dawn") == ["harbour/ferry_dawn.mp4"]  # title; '_' splits words
    # "ferries" and "ferry" share a stem: every asset that mentions either is found.
    assert set(_paths(catalog, "ferries")) == {
        "harbour/ferry_dawn.mp4",
        "misc/clip01.mp4",
        "misc/clip02.mp4",
    }


def test_title_and_tags_rank_above_description_and_sidecar(catalog: Catalog) -> None:
    assert _paths(catalog, "ferry") == [
        "harbour/ferry_dawn.mp4",  # title (weight A)
        "misc/clip01.mp4",  # description (B)
        "misc/clip02.mp4",  # sidecar text (C)
    ]


def test_web_search_syntax(catalog: Catalog) -> None:
    assert _paths(catalog, '"ferry trip"') == ["misc/clip01.mp4"]
    assert set(_paths(catalog, "ferry -candles")) == {"harbour/ferry_dawn.mp4", "misc/clip02.mp4"}
    assert set(_paths(catalog, "lisbon or birthday")) == {
        "trips/lisbon tram ride.mp4",
        "misc/clip01.mp4",
    }
    assert _paths(catalog, "the") == []  # only a stop word: nothing to match, no error
    assert _paths(catalog, "ferry & | ! ( :*") != []  # tsquery operators are plain text here


def test_filters_narrow_keyword_and_empty_queries(catalog: Catalog) -> None:
    everything = _paths(catalog, "")
    assert len(everything) == len(ASSETS)
    assert _paths(catalog, "ferry", Filters(video_codec="vp9")) == ["misc/clip01.mp4"]
    assert _paths(catalog, "", Filters(min_height=1000, max_height=1500)) == [
        "harbour/ferry_dawn.mp4"
    ]
    assert _paths(catalog, "", Filters(min_duration_s=40, max_duration_s=100)) == [
        "misc/clip02.mp4",
        "misc/clip01.mp4",
    ]
    one_day = date(2024, 5, 1)
    assert _paths(catalog, "", Filters(date_from=one_day, date_to=one_day)) == [
        "harbour/ferry_dawn.mp4"
    ]
    assert _paths(catalog, "", Filters(tags=("family",))) == ["misc/clip01.mp4"]
    assert len(_paths(catalog, "", Filters(source="nas"))) == len(ASSETS)
    assert _paths(catalog, "", Filters(source="camera")) == []
    assert _paths(catalog, "", Filters(source="no such source")) == []


def test_counts_are_capped_and_pages_are_stable(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog_queries, "COUNT_CAP", 2)
    for query in ("", "ferry"):
        first, total = keyword_search(catalog.conn, query, Filters(), limit=1, offset=0)
        second, again = keyword_search(catalog.conn, query, Filters(), limit=1, offset=1)
        assert total == again == 3  # more than the cap of 2: cap + 1
        assert first[0]["id"] != second[0]["id"]
        beyond, counted = keyword_search(catalog.conn, query, Filters(), limit=1, offset=10)
        assert beyond == [] and counted == 3


def test_present_paths_follow_the_files(catalog: Catalog) -> None:
    source = catalog.get_source("nas")
    camera = catalog.get_source("camera")
    rows = catalog.conn.execute(
        "SELECT asset_id FROM files WHERE rel_path = 'misc/clip02.mp4'"
    ).fetchone()
    asset_id = rows["asset_id"]
    try:
        # Moved: found by the new path's words, no longer by the old ones.
        catalog.upsert_files(camera.id, [FileRow("moved/zanzibar.mp4", asset_id, 1000, 1)])
        catalog.mark_missing(source.id, ["misc/clip02.mp4"])
        catalog.commit()
        assert _paths(catalog, "zanzibar") == ["moved/zanzibar.mp4"]
        assert _paths(catalog, "clip02") == []
        assert _paths(catalog, "", Filters(source="camera")) == ["moved/zanzibar.mp4"]
        # No present file at all: not searchable (nothing could be played).
        catalog.mark_missing(camera.id, ["moved/zanzibar.mp4"])
        catalog.commit()
        assert _paths(catalog, "lighthouse") == []
        row = catalog.conn.execute(
            "SELECT present_paths, present_source_ids FROM assets WHERE id = %s", (asset_id,)
        ).fetchone()
        assert row == {"present_paths": None, "present_source_ids": None}
    finally:
        catalog.conn.execute("DELETE FROM files WHERE rel_path = 'moved/zanzibar.mp4'")
        catalog.upsert_files(source.id, [FileRow("misc/clip02.mp4", asset_id, 1000, 1)])
        catalog.commit()
    assert _paths(catalog, "lighthouse") == ["misc/clip02.mp4"]


@pytest.fixture(scope="module")
def big_catalog(new_database: Callable[[str], str]) -> Iterator[Catalog]:
    """20,000 filler assets with none of the test assets' values, so that every filter of the
    parametrised cases below is selective and an index is the cheap way to apply it."""
    catalog = open_catalog(new_database("keyword_plans"))
    nas = catalog.add_source(spec_from_uri("nas", "/srv/nas"))
    camera = catalog.add_source(spec_from_uri("camera", "/srv/camera"))
    conn = catalog.conn
    conn.execute(
        "INSERT INTO assets (fingerprint, size_bytes, status, video_codec, height, duration_s, "
        "creation_time, title, description) SELECT 'fp:filler:' || i, 1, 'probed', 'mpeg2', "
        "100, 5000, '2000-01-01', 'filler ' || i, 'nothing to see' FROM generate_series(1, 20000) i"
    )
    conn.execute(
        "INSERT INTO files (source_id, rel_path, asset_id, size_bytes, mtime_ns) "
        "SELECT %s, 'filler/' || id || '.mp4', id, 1, 1 FROM assets",
        (nas.id,),
    )
    for i, (path, title, tags, description, sidecar, codec, height, duration, day) in enumerate(
        ASSETS
    ):
        asset_id, _ = catalog.upsert_asset(
            f"fp:test:{i}",
            1000,
            probe_row={"video_codec": codec, "height": height, "duration_s": duration,
             "creation_time": f"{day}T12:00:00Z"},
        )  # fmt: skip
        catalog.record_description(
            asset_id, title=title, description=description, tags=tags, sidecar_text=sidecar
        )
        catalog.upsert_files(camera.id, [FileRow(path, asset_id, 1000, 1)])
    catalog.commit()
    # As autovacuum would: statistics, and the GIN pending list folded into the index (until
    # then the planner prices the full-text index as the unsorted list it still is).
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE assets")
    conn.autocommit = False
    yield catalog
    catalog.close()


@pytest.mark.parametrize(
    ("query", "filters", "index"),
    [
        ("ferry", Filters(), "assets_search_document_idx"),
        ("", Filters(video_codec="vp9"), "assets_video_codec_idx"),
        ("", Filters(min_height=1000), "assets_height_idx"),
        ("", Filters(max_duration_s=100), "assets_duration_idx"),
        ("", Filters(date_from=date(2024, 5, 1)), "assets_recorded_idx"),
        ("", Filters(tags=("family",)), "assets_tags_idx"),
        ("", Filters(source="camera"), "assets_present_source_ids_idx"),
    ],
)
def test_selective_filters_use_their_index(
    big_catalog: Catalog, query: str, filters: Filters, index: str
) -> None:
    """A predicate written so that no index matches it (a ::date cast, a function of the
    column, a probe of files per row) would show up here as a sequential scan."""
    captured: list[tuple[str, list]] = []

    class Recorder:
        def __init__(self, conn: psycopg.Connection) -> None:
            self._conn = conn

        def cursor(self) -> _RecordingCursor:
            return _RecordingCursor(self._conn.cursor(), captured)

    rows, _ = keyword_search(Recorder(big_catalog.conn), query, filters, limit=24, offset=0)  # type: ignore[arg-type]
    assert rows
    sql, params = captured[0]
    with big_catalog.conn.cursor() as cur:
        plan = "\n".join(r["QUERY PLAN"] for r in cur.execute("EXPLAIN " + sql, params))
    big_catalog.conn.rollback()
    assert index in plan, plan
    assert "Seq Scan on assets" not in plan, plan


class _RecordingCursor:
    def __init__(self, cur: psycopg.Cursor, captured: list[tuple[str, list]]) -> None:
        self._cur = cur
        self._captured = captured

    def __enter__(self) -> _RecordingCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self._cur.close()

    def execute(self, sql: str, params: list) -> None:
        self._captured.append((sql, params))
        self._cur.execute(sql, params)

    def fetchall(self) -> list:
        return self._cur.fetchall()

    def fetchone(self) -> dict | None:
        return self._cur.fetchone()


def test_a_remembered_ranking_serves_the_same_page_and_still_applies_the_filters(
    catalog: Catalog,
) -> None:
    from samples.video_archive.config import Settings
    from samples.video_archive.search import RankingCache, SemanticBackend, run_search

    rankings = RankingCache()
    backend = SemanticBackend(Settings())  # keyword mode never loads it

    def search(filters: Filters) -> list[int]:
        page = run_search(
            catalog.conn, backend, "ferry", "keyword", filters, limit=24, rankings=rankings
        )
        return [item["id"] for item in page.items]

    first = search(Filters())
    assert len(first) == 3
    assert search(Filters()) == first
    assert (rankings.hits, rankings.misses) == (1, 1)
    # A cached ranking is only ids: the cards, and whether they still pass, come fresh.
    catalog.conn.execute("UPDATE assets SET status = 'quarantined' WHERE id = %s", (first[0],))
    try:
        assert search(Filters()) == first[1:]
    finally:
        catalog.conn.execute("UPDATE assets SET status = 'probed' WHERE id = %s", (first[0],))
        catalog.commit()
