"""Relevance of the one search path, per mode, on the described samples: real clips with
sidecar titles, tags, descriptions and subtitles, scanned, indexed with the real model."""

from __future__ import annotations

from pathlib import Path

import pytest

from samples.video_archive import relevance
from samples.video_archive.catalog import Catalog
from samples.video_archive.config import Settings
from samples.video_archive.search import MODES, SemanticBackend

pytest.importorskip("sentence_transformers", reason="the embedder's libraries are not installed")
pytestmark = pytest.mark.slow


def test_the_expected_clip_is_in_the_top_three_for_nine_queries_in_ten_in_every_mode(
    catalog: Catalog, tmp_path: Path
) -> None:
    from samples.video_archive.indexing.embeddings import MiniLMEmbedder

    relevance.scan_described(catalog, tmp_path / "described")
    backend = relevance.index_described(catalog, tmp_path / "index", MiniLMEmbedder())
    assert backend.get()[1].count() == len(relevance.CLIPS)

    report = relevance.evaluate(catalog.conn, backend)

    assert set(report) == set(MODES)
    for mode, figures in report.items():
        assert figures["top3_share"] >= 0.9, (mode, figures["misses"])


def test_a_query_about_nothing_in_the_archive_finds_nothing_by_keyword(
    catalog: Catalog, tmp_path: Path
) -> None:
    # The measure can fail: a query whose words are in no clip is not counted as found.
    from samples.video_archive.search import Filters, run_search

    relevance.scan_described(catalog, tmp_path / "described")
    page = run_search(
        catalog.conn,
        SemanticBackend(Settings()),
        "submarine volcano",
        "keyword",
        Filters(source=relevance.SOURCE),
        limit=3,
    )
    assert page.items == []
