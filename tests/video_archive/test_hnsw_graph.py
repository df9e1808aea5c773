"""The HNSW graph beside the LanceDB table: saved by optimize, used by readers only while it
reflects the table they read, kept in step with new, changed and deleted rows, rebuilt once
removals pile up, and never trusted when what was read is not what was saved."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from samples.video_archive.indexing.backends import IndexedAsset, SearchFilters
from samples.video_archive.indexing.backends.graph import REBUILD_AFTER_REMOVED
from samples.video_archive.indexing.backends.lancedb import LanceDBIndex

DIM = 16
MIN_ROWS = 400
rng = np.random.default_rng(5)


def _items(start: int, count: int, codec: str = "h264") -> list[IndexedAsset]:
    vectors = rng.normal(size=(count, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return [
        IndexedAsset(start + i, vectors[i].tolist(), f"clip number {start + i}", "", 1.0, codec)
        for i in range(count)
    ]


def _open(path: Path, graph_min_rows: int | None = None) -> LanceDBIndex:
    index = LanceDBIndex(path, DIM, ann_min_rows=MIN_ROWS, graph_min_rows=graph_min_rows)
    index.graph._check_interval_s = 0  # look at the saved graph and the table on every search
    return index


def _nearest(index: LanceDBIndex, item: IndexedAsset) -> int:
    return index.search(item.vector, limit=1)[0].asset_id


def test_no_graph_below_the_index_threshold(tmp_path: Path) -> None:
    index = _open(tmp_path / "lance")
    items = _items(1, 100)
    index.upsert(items)
    index.optimize()
    assert index._graph.state() is None
    assert _nearest(index, items[5]) == 6 and index.graph.served == 0


def test_the_graph_may_start_before_the_vector_index(tmp_path: Path) -> None:
    """graph_min_rows (VIDEO_ARCHIVE_GRAPH_MIN_ROWS; services default to 1) is its own
    threshold: a small archive is served by the graph while LanceDB has no index to train."""
    index = _open(tmp_path / "lance", graph_min_rows=1)
    items = _items(1, 20)
    index.upsert(items)
    maintenance = index.optimize()
    assert maintenance.vector_index == "none"  # no vector index below ann_min_rows
    assert index._graph.state() is not None
    assert _nearest(index, items[7]) == 8 and index.graph.served == 1


def test_optimize_saves_a_graph_that_answers_unfiltered_searches(tmp_path: Path) -> None:
    index = _open(tmp_path / "lance")
    items = _items(1, 500)
    index.upsert(items)
    index.optimize()
    state = index._graph.state()
    assert state is not None
    assert (state["size"], state["version"]) == (500, index._table.version)

    matrix = np.array([item.vector for item in items], dtype=np.float32)
    recalls = []
    for item in items[:50]:
        exact = set((np.argsort(-(matrix @ np.array(item.vector)))[:10] + 1).tolist())
        hits = index.search(item.vector, limit=10)
        recalls.append(len(exact & {h.asset_id for h in hits}) / 10)
        assert hits[0].asset_id == item.asset_id and abs(hits[0].score - 1.0) < 1e-3
    assert index.graph.served == 50
    assert np.mean(recalls) >= 0.95


def test_rows_written_after_the_graph_are_found_until_the_next_optimize(
    tmp_path: Path,
) -> None:
    index = _open(tmp_path / "lance")
    index.upsert(_items(1, 500))
    index.optimize()
    late = _items(501, 20)
    index.upsert(late)
    # The graph does not hold these rows yet, so LanceDB answers.
    assert _nearest(index, late[3]) == 504 and index.graph.served == 0
    index.optimize()
    assert _nearest(index, late[3]) == 504 and index.graph.served == 1


def test_a_changed_vector_is_re_added_and_a_deleted_row_removed(tmp_path: Path) -> None:
    index = _open(tmp_path / "lance")
    items = _items(1, 500)
    index.upsert(items)
    index.optimize()
    moved = _items(1, 1)[0]  # asset 1, new text and vector
    index.upsert([moved])
    index.delete([2])
    index.optimize()
    state = index._graph.state()
    assert state is not None and (state["size"], state["removed_since_build"]) == (499, 2)
    assert _nearest(index, moved) == 1
    assert 2 not in {h.asset_id for h in index.search(items[1].vector, limit=20)}
    assert index.graph.served == 2


def test_filtered_searches_stay_on_lancedb(tmp_path: Path) -> None:
    index = _open(tmp_path / "lance")
    index.upsert(_items(1, 450) + _items(451, 50, codec="vp9"))
    index.optimize()
    hits = index.search(
        _items(1000, 1)[0].vector, limit=60, filters=SearchFilters(video_codec="vp9")
    )
    assert {h.asset_id for h in hits} == set(range(451, 501))
    assert index.graph.served == 0


def test_hybrid_search_takes_its_vector_side_from_the_graph(tmp_path: Path) -> None:
    index = _open(tmp_path / "lance")
    items = _items(1, 500)
    items[41] = IndexedAsset(42, items[41].vector, "a zanzibar spice market", "", 1.0, "h264")
    index.upsert(items)
    index.optimize()
    hits = index.search(items[9].vector, "zanzibar", limit=5)
    assert {hits[0].asset_id, hits[1].asset_id} == {42, 10}
    assert index.graph.served == 1


def test_a_graph_with_many_removals_is_rebuilt(tmp_path: Path) -> None:
    index = _open(tmp_path / "lance")
    items = _items(1, 600)
    index.upsert(items)
    index.optimize()
    removed = int(600 * REBUILD_AFTER_REMOVED) + 10
    index.delete(list(range(1, removed + 1)))
    index.optimize()
    assert index._graph.state()["removed_since_build"] == removed  # type: ignore[index]
    rebuilt = index.sync_graph()
    assert (rebuilt.rebuilt, rebuilt.size) == (True, 600 - removed)
    assert index._graph.state()["removed_since_build"] == 0  # type: ignore[index]
    assert _nearest(index, items[-1]) == 600 and index.graph.served == 1


def test_another_reader_picks_up_a_newer_graph(tmp_path: Path) -> None:
    writer = _open(tmp_path / "lance")
    writer.upsert(_items(1, 500))
    writer.optimize()
    reader = _open(tmp_path / "lance")
    late = _items(501, 10)
    writer.upsert(late)
    writer.optimize()
    assert _nearest(reader, late[0]) == 501 and reader.graph.served == 1


def test_a_graph_that_is_not_the_one_saved_is_not_used(tmp_path: Path) -> None:
    writer = _open(tmp_path / "lance")
    items = _items(1, 500)
    writer.upsert(items)
    writer.optimize()
    saved = next((tmp_path / "lance").glob("*.graph.usearch"))
    saved.write_bytes(saved.read_bytes()[:-64])  # a torn or replaced file
    reader = _open(tmp_path / "lance")
    assert _nearest(reader, items[7]) == 8 and reader.graph.served == 0
