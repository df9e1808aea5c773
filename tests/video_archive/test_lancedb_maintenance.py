"""The LanceDB backend's index upkeep: no vector index while a scan is cheap, one build when
the table is large enough, new rows folded in without retraining, a retrain after the
table has doubled; and the rank fusion of hybrid search."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from samples.video_archive.indexing.backends import IndexedAsset, SearchFilters
from samples.video_archive.indexing.backends.ann import CHOSEN, AnnSettings
from samples.video_archive.indexing.backends.lancedb import RRF_K, LanceDBIndex, fuse_rankings

DIM = 16
rng = np.random.default_rng(3)


def _items(start: int, count: int) -> list[IndexedAsset]:
    vectors = rng.normal(size=(count, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return [
        IndexedAsset(start + i, vectors[i].tolist(), f"clip number {start + i}", "", 1.0, "h264")
        for i in range(count)
    ]


def _has_vector_index(index: LanceDBIndex) -> bool:
    return any(i.columns == ["vector"] for i in index._table.list_indices())


def test_vector_index_is_built_once_then_kept_up_incrementally(tmp_path: Path) -> None:
    index = LanceDBIndex(tmp_path / "lance", DIM, ann_min_rows=400)
    first = _items(1, 300)
    index.upsert(first)
    report = index.optimize()
    assert (report.vector_index, report.rows) == ("none", 300)
    assert not _has_vector_index(index)  # an exact scan of 300 rows needs no index

    index.upsert(_items(301, 200))
    assert not _has_vector_index(index)  # upserts never build it
    assert index.optimize().vector_index == "built"
    assert _has_vector_index(index)

    index.upsert(_items(501, 100))
    report = index.optimize()
    assert (report.vector_index, report.rows, report.unindexed_rows) == ("incremental", 600, 0)
    assert index.optimize().vector_index == "none"  # nothing new: nothing to do

    index.upsert(_items(601, 400))  # 1,000 rows: twice the 500 it was trained on
    assert index.optimize().vector_index == "retrained"

    # Through every step the nearest item is found, old rows and new alike.
    for item in (first[0], first[-1]):
        assert index.search(item.vector, limit=1)[0].asset_id == item.asset_id


def test_an_index_reopened_keeps_its_training_size(tmp_path: Path) -> None:
    index = LanceDBIndex(tmp_path / "lance", DIM, ann_min_rows=300)
    index.upsert(_items(1, 300))
    assert index.optimize().vector_index == "built"
    reopened = LanceDBIndex(tmp_path / "lance", DIM, ann_min_rows=300)
    reopened.upsert(_items(301, 100))
    assert reopened.optimize().vector_index == "incremental"  # 400 < 2 x 300


def test_hybrid_search_fuses_the_text_and_vector_rankings(tmp_path: Path) -> None:
    index = LanceDBIndex(tmp_path / "lance", DIM)
    items = _items(1, 50)
    items[7] = IndexedAsset(8, items[7].vector, "a zanzibar spice market", "", 1.0, "h264")
    index.upsert(items)
    query = items[20].vector
    # The text side alone puts item 8 first; the vector side alone puts item 21 first.
    hits = index.search(query, "zanzibar", limit=5)
    assert {hits[0].asset_id, hits[1].asset_id} == {8, 21}
    assert [h.asset_id for h in index.search(query, limit=1)] == [21]


def test_fuse_rankings_adds_reciprocal_ranks() -> None:
    hits = fuse_rankings([[1, 2, 3], [2, 3, 4]], limit=3)
    assert [h.asset_id for h in hits] == [2, 3, 1]  # 2 and 3 are on both lists
    assert hits[0].score == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))
    assert fuse_rankings([[], []], limit=3) == []


@pytest.mark.parametrize(
    "ann",
    [
        AnnSettings(kind="ivf_hnsw_sq", partitions=2, nprobes=2, refine_factor=3),
        AnnSettings(kind="ivf_pq", partitions=2, sub_vectors=4, nprobes=2, refine_factor=10),
    ],
    ids=["ivf_hnsw_sq", "ivf_pq"],
)
def test_each_index_kind_builds_and_finds_its_rows(tmp_path: Path, ann: AnnSettings) -> None:
    index = LanceDBIndex(tmp_path / "lance", DIM, ann_min_rows=300, ann=ann)
    items = _items(1, 300)
    index.upsert(items)
    assert index.optimize().vector_index == "built"
    assert _has_vector_index(index)
    found = [index.search(item.vector, limit=10)[0].asset_id for item in items[:20]]
    assert found == [item.asset_id for item in items[:20]]


def test_ann_settings_refuse_what_cannot_work() -> None:
    with pytest.raises(ValueError, match="unknown ANN index kind 'hnsw'"):
        AnnSettings(kind="hnsw")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="nprobes must be at least 1"):
        AnnSettings(nprobes=0)
    assert set(AnnSettings(kind="ivf_pq").describe()) == {"kind", "nprobes", "refine_factor"}
    assert "sub_vectors" not in CHOSEN.describe()


def test_a_narrow_filter_still_finds_every_match_with_few_probes(tmp_path: Path) -> None:
    """One partition probed of eight, and a filter that only three rows pass, in different
    partitions: all three are found, not a short answer."""
    ann = AnnSettings(kind="ivf_hnsw_sq", partitions=8, nprobes=1, refine_factor=1)
    index = LanceDBIndex(tmp_path / "lance", DIM, ann_min_rows=300, ann=ann)
    items = _items(1, 300)
    for n in (10, 150, 290):
        items[n] = IndexedAsset(n + 1, items[n].vector, "rare", "", 1.0, "av1")
    index.upsert(items)
    assert index.optimize().vector_index == "built"
    hits = index.search(items[0].vector, limit=5, filters=SearchFilters(video_codec="av1"))
    assert sorted(h.asset_id for h in hits) == [11, 151, 291]


class _Recorded:
    """Stands in for a LanceDB vector query: records the settings applied to it."""

    def __init__(self) -> None:
        self.settings: dict[str, int] = {}

    def __getattr__(self, name: str):
        def setting(value: int) -> _Recorded:
            self.settings[name] = value
            return self

        return setting


@pytest.mark.parametrize(
    ("settings", "limit", "ef"),
    [
        (CHOSEN, 10, 600),
        (CHOSEN, 200, 600),
        (CHOSEN, 1000, 1000),
        (replace(CHOSEN, ef=200, refine_factor=3), 10, 200),
        (replace(CHOSEN, ef=200, refine_factor=3), 100, 300),
    ],
)
def test_the_beam_holds_every_candidate_the_refine_step_re_ranks(
    settings: AnnSettings, limit: int, ef: int
) -> None:
    query = settings.tune(_Recorded(), limit)
    assert query.settings["ef"] == ef
    assert query.settings["refine_factor"] == settings.refine_factor
    assert query.settings["ef"] >= limit * query.settings["refine_factor"]
    assert query.settings["minimum_nprobes"] == settings.nprobes
