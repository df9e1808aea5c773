"""One contract for every backend of the archive's semantic index: LanceDB (embedded) and
Weaviate (server).

The Weaviate run needs a real server: set WEAVIATE_URL (and WEAVIATE_API_KEY when auth is
on). Without it those cases are skipped with that reason; nothing stands in for a server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from samples.video_archive.indexing.backends import IndexedAsset, SearchFilters, SemanticIndex

DIM = 8


def _unit(*weights: float) -> list[float]:
    v = np.zeros(DIM, dtype=np.float32)
    v[: len(weights)] = weights
    return (v / np.linalg.norm(v)).tolist()


ITEMS = [
    IndexedAsset(1, _unit(1), "harbour ferry at dawn", "Ferry", 12.0, "h264", 1080, ("nas",)),
    IndexedAsset(2, _unit(0, 1), "mountain hike with dog", "Hike", 300.0, "hevc", 2160, ("nas",)),
    IndexedAsset(3, _unit(0, 0, 1), "birthday cake candles", "Party", 45.0, "h264", 720, ("s3",)),
    IndexedAsset(
        4, _unit(0, 0, 0, 1), "zanzibar spice market", "Market", 90.0, "vp9", 480, ("s3",)
    ),
    IndexedAsset(5, _unit(1, 1), "ferry crossing in fog", "Fog", 20.0, "h264", 1080, ("s3",)),
]


@pytest.fixture(params=["lancedb", "weaviate"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SemanticIndex]:
    if request.param == "lancedb":
        from samples.video_archive.indexing.backends.lancedb import LanceDBIndex

        store: SemanticIndex = LanceDBIndex(tmp_path / "lance", dimension=DIM)
    else:
        url = os.environ.get("WEAVIATE_URL")
        if not url:
            pytest.skip("WEAVIATE_URL is not set: no Weaviate server to run the contract against")
        from samples.video_archive.indexing.backends.weaviate import WeaviateIndex, connect

        client = connect(url, os.environ.get("WEAVIATE_API_KEY"))
        name = f"ContractTest{uuid.uuid4().hex[:8]}"
        store = WeaviateIndex(client, collection=name)
        request.addfinalizer(lambda: client.collections.delete(name))
    yield store
    store.close()


def test_empty_index_finds_nothing(index: SemanticIndex) -> None:
    assert index.count() == 0
    assert index.search(_unit(1), "ferry") == []


def test_upsert_is_keyed_by_asset_id(index: SemanticIndex) -> None:
    index.upsert(ITEMS)
    assert index.count() == len(ITEMS)
    index.upsert(
        [
            IndexedAsset(
                4, _unit(0, 0, 0, 1), "zanzibar spice market", "Market", 95.0, "av1", 480, ("s3",)
            )
        ]
    )
    assert index.count() == len(ITEMS)
    hits = index.search(_unit(0, 0, 0, 1), limit=1, filters=SearchFilters(video_codec="av1"))
    assert [h.asset_id for h in hits] == [4]


def test_vector_search_ranks_nearest_first(index: SemanticIndex) -> None:
    index.upsert(ITEMS)
    hits = index.search(_unit(0, 1), limit=3)
    assert hits[0].asset_id == 2
    assert hits[0].score > hits[1].score
    assert len(hits) == 3


def test_hybrid_search_finds_a_rare_word(index: SemanticIndex) -> None:
    index.upsert(ITEMS)
    neutral = _unit(0, 0, 0, 0, 1)  # equally far from every item
    hits = index.search(neutral, "zanzibar", limit=3)
    assert hits[0].asset_id == 4


def test_filters_restrict_before_ranking(index: SemanticIndex) -> None:
    index.upsert(ITEMS)
    query = _unit(1)
    assert {
        h.asset_id
        for h in index.search(
            query, limit=10, filters=SearchFilters(min_duration_s=40, max_duration_s=100)
        )
    } == {3, 4}
    assert {
        h.asset_id
        for h in index.search(
            query, limit=10, filters=SearchFilters(video_codec="h264", min_height=1000)
        )
    } == {1, 5}
    assert {
        h.asset_id
        for h in index.search(query, "ferry", limit=10, filters=SearchFilters(sources=("s3",)))
    } <= {3, 4, 5}
    assert (
        index.search(query, "ferry", limit=1, filters=SearchFilters(sources=("s3",)))[0].asset_id
        == 5
    )


def test_delete_removes_items(index: SemanticIndex) -> None:
    index.upsert(ITEMS)
    index.delete([1, 5])
    assert index.count() == len(ITEMS) - 2
    assert {h.asset_id for h in index.search(_unit(1), "ferry", limit=10)} <= {2, 3, 4}
