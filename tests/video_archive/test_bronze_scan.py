"""Bronze scan against real ffprobe and a real PostgreSQL catalog."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from va_testlib import register, snapshot

from samples.video_archive.catalog import Catalog
from samples.video_archive.ingestion.scanner import scan_source
from samples.video_archive.synthetic import Expected

pytestmark = pytest.mark.slow


def _asset_by_path(catalog: Catalog, rel_path: str) -> dict:
    row = catalog._one(
        "SELECT a.* FROM assets a JOIN files f ON f.asset_id = a.id WHERE f.rel_path = %s",
        (rel_path,),
    )
    assert row is not None, f"{rel_path} not in catalog"
    return row


def test_full_scan_records_metadata_and_quarantines_bad_files(
    catalog: Catalog, corpus: tuple[Path, dict[str, Expected]]
) -> None:
    root, expected = corpus
    register(catalog, "corpus", root)
    summary = scan_source(catalog, "corpus")

    assert not summary.offline
    for rel_path, exp in expected.items():
        asset = _asset_by_path(catalog, rel_path)
        if exp.quarantined:
            assert asset["status"] == "quarantined", rel_path
            assert asset["quarantine_reason"], rel_path
            continue
        assert asset["status"] == "probed", (rel_path, asset["quarantine_reason"])
        assert asset["width"] == 160 and asset["height"] == 120, rel_path
        assert asset["duration_s"] and asset["duration_s"] > 0, rel_path
        for column in ("video_codec", "audio_codec", "container", "rotation", "variable_fps"):
            wanted = getattr(exp, column)
            if wanted is not None or column == "audio_codec":
                assert asset[column] == wanted, (rel_path, column, asset[column])

    camera = _asset_by_path(catalog, "camera.mp4")
    assert (camera["camera_make"], camera["camera_model"]) == ("Canon", "EOS R5")
    assert camera["gps_lat"] == pytest.approx(48.8584)
    assert camera["gps_lon"] == pytest.approx(2.2945)
    assert camera["creation_time"].year == 2024
    assert camera["title"] == "Quay at dusk"  # from the .xmp sidecar
    assert camera["description"] == "Golden hour over the old quay"  # from the .json sidecar
    assert set(camera["tags"]) == {"harbour", "boats", "quay", "sunset"}
    harbour = _asset_by_path(catalog, "harbour/h264_aac.mp4")
    assert "lighthouse keeper" in harbour["sidecar_text"]

    reasons = {
        q["locations"][0].split(":", 1)[1]: q["quarantine_reason"] for q in catalog.quarantined()
    }
    assert reasons["zero_bytes.mp4"] == "empty file (0 bytes)"
    assert "moov atom not found" in reasons["corrupt.mp4"]
    assert "ffprobe cannot read it" in reasons["not_a_video.mp4"]
    skipped = {e["path"]: e["reason"] for e in summary.errors}
    assert "loop" in skipped and "not followed" in skipped["loop"]
    assert "self_loop.mp4" in skipped and "cannot stat" in skipped["self_loop.mp4"]
    assert summary.counts["seen"] == len(expected)
    assert summary.counts["quarantined"] == 3


def test_second_run_adds_nothing_and_costs_only_stats(
    catalog: Catalog, corpus: tuple[Path, dict[str, Expected]]
) -> None:
    root, expected = corpus
    register(catalog, "corpus", root)
    scan_source(catalog, "corpus")
    before = catalog.status_summary()
    again = scan_source(catalog, "corpus")
    assert again.counts["unchanged"] == len(expected)
    assert again.counts["new"] == again.counts["probed"] == again.counts["changed"] == 0
    assert catalog.status_summary() == before


def test_file_rows_written_per_batch_are_all_there_and_searchable_by_path(
    catalog: Catalog, corpus: tuple[Path, dict[str, Expected]]
) -> None:
    root, expected = corpus
    register(catalog, "corpus", root)
    # Full batches and a partial one at the end.
    batch = next(size for size in range(3, len(expected)) if len(expected) % size)
    summary = scan_source(catalog, "corpus", batch_size=batch)
    assert summary.counts["seen"] == len(expected)
    rows = catalog.conn.execute(
        "SELECT f.rel_path, f.status, a.present_paths FROM files f JOIN assets a"
        " ON a.id = f.asset_id"
    ).fetchall()
    assert sorted(r["rel_path"] for r in rows) == sorted(expected)
    for row in rows:
        assert row["status"] == "present", row
        assert row["rel_path"] in row["present_paths"], row
    again = scan_source(catalog, "corpus", batch_size=batch)
    assert again.counts["unchanged"] == len(expected)


def test_originals_untouched_and_read_only_source_works(
    catalog: Catalog,
    corpus_template: tuple[Path, dict[str, Expected]],
    read_only_mount: tuple[Path, Path],
) -> None:
    template, expected = corpus_template
    backing, mountpoint = read_only_mount
    shutil.copytree(template, backing, symlinks=True, dirs_exist_ok=True)
    before = snapshot(backing)
    with pytest.raises(OSError):
        (mountpoint / "probe-write").write_text("x")  # the mount really is read-only

    register(catalog, "ro", mountpoint)
    summary = scan_source(catalog, "ro")
    assert summary.counts["probed"] == len([e for e in expected.values() if not e.quarantined])
    assert summary.counts["errors"] == 0
    assert snapshot(backing) == before


def test_moved_file_keeps_its_catalog_id(
    catalog: Catalog, corpus: tuple[Path, dict[str, Expected]]
) -> None:
    root, _ = corpus
    register(catalog, "corpus", root)
    scan_source(catalog, "corpus")
    original_id = _asset_by_path(catalog, "camera.mp4")["id"]

    (root / "moved/deeper").mkdir(parents=True)
    (root / "camera.mp4").rename(root / "moved/deeper/renamed camera.mp4")
    summary = scan_source(catalog, "corpus")

    assert summary.counts["moved"] == 1
    assert summary.counts["probed"] == 0  # identity came from the fingerprint, no re-probe
    assert summary.counts["missing"] == 1
    files = catalog.asset_files(original_id)
    assert {(f["rel_path"], f["status"]) for f in files} == {
        ("moved/deeper/renamed camera.mp4", "present"),
        ("camera.mp4", "missing"),
    }
    assert catalog.asset(original_id)["title"] == "Quay at dusk"  # metadata kept


def test_exact_duplicate_is_recognised(
    catalog: Catalog, corpus: tuple[Path, dict[str, Expected]]
) -> None:
    root, _ = corpus
    shutil.copy2(root / "mpeg4.avi", root / "copy of mpeg4.avi")
    register(catalog, "corpus", root)
    summary = scan_source(catalog, "corpus", full_hash=True)
    assert summary.counts["duplicates"] == 1
    ids = {_asset_by_path(catalog, p)["id"] for p in ("mpeg4.avi", "copy of mpeg4.avi")}
    assert len(ids) == 1
    whole = hashlib.blake2b((root / "mpeg4.avi").read_bytes(), digest_size=32).hexdigest()
    assert _asset_by_path(catalog, "mpeg4.avi")["full_hash"] == f"b2:{whole}"


def test_changed_file_gets_new_identity_and_deleted_file_is_soft_deleted(
    catalog: Catalog, corpus: tuple[Path, dict[str, Expected]]
) -> None:
    root, _ = corpus
    register(catalog, "corpus", root)
    scan_source(catalog, "corpus")
    old_id = _asset_by_path(catalog, "no_audio.mkv")["id"]
    shutil.copy(root / "variable_rate.mkv", root / "no_audio.mkv")  # new content, same path
    (root / "mpeg4.avi").unlink()

    summary = scan_source(catalog, "corpus")
    assert summary.counts["changed"] == 1
    assert summary.counts["missing"] == 1
    assert _asset_by_path(catalog, "no_audio.mkv")["id"] != old_id
    gone = catalog._one("SELECT status, missing_since FROM files WHERE rel_path = 'mpeg4.avi'")
    assert gone["status"] == "missing" and gone["missing_since"] is not None

    from datetime import timedelta

    assert catalog.purge_missing(timedelta(days=30)) == (0, 0, 0)  # inside the grace period
    files, assets, kept = catalog.purge_missing(timedelta(0))
    # mpeg4.avi's asset had no other location; no_audio.mkv's old content has none either.
    assert (files, assets, kept) == (1, 2, 0)


def test_missing_root_marks_source_offline_and_deletes_nothing(
    catalog: Catalog, corpus: tuple[Path, dict[str, Expected]]
) -> None:
    root, _ = corpus
    register(catalog, "corpus", root)
    scan_source(catalog, "corpus")
    before = catalog.status_summary()
    root.rename(root.with_name("elsewhere"))

    summary = scan_source(catalog, "corpus")
    assert summary.offline and "does not exist" in (summary.offline_reason or "")
    assert catalog.get_source("corpus").status == "offline"
    assert catalog.status_summary() == before


def test_unmounted_source_deletes_nothing(
    catalog: Catalog,
    corpus_template: tuple[Path, dict[str, Expected]],
    read_only_mount: tuple[Path, Path],
) -> None:
    template, _ = corpus_template
    backing, mountpoint = read_only_mount
    shutil.copytree(template, backing, symlinks=True, dirs_exist_ok=True)
    register(catalog, "disk", mountpoint)
    scan_source(catalog, "disk")
    before = catalog.status_summary()

    subprocess.run(["umount", str(mountpoint)], check=True)  # the empty mountpoint remains
    summary = scan_source(catalog, "disk")
    assert summary.offline and "unmounted" in (summary.offline_reason or "")
    assert catalog.status_summary() == before
    assert catalog._one("SELECT count(*) AS n FROM files WHERE status = 'missing'")["n"] == 0


def test_one_unreadable_file_does_not_stop_the_batch(
    catalog: Catalog, corpus: tuple[Path, dict[str, Expected]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, expected = corpus
    register(catalog, "corpus", root)
    from samples.video_archive.ingestion import sources

    real = sources.LocalSource.fingerprint

    def flaky(self: sources.LocalSource, entry: sources.Entry) -> str:
        if entry.rel_path == "broadcast.ts":
            raise PermissionError(13, "Permission denied")
        return real(self, entry)

    monkeypatch.setattr(sources.LocalSource, "fingerprint", flaky)
    summary = scan_source(catalog, "corpus")
    assert summary.counts["errors"] == 1
    assert {
        "path": "broadcast.ts",
        "reason": "cannot read: Permission denied",
    }
    assert summary.counts["probed"] == len([e for e in expected.values() if not e.quarantined]) - 1


def test_new_sidecar_beside_an_unchanged_video_is_read(
    catalog: Catalog, corpus: tuple[Path, dict[str, Expected]]
) -> None:
    root, _ = corpus
    register(catalog, "corpus", root)
    scan_source(catalog, "corpus")
    (root / "broadcast.vtt").write_text(
        "WEBVTT\n\n00:00.000 --> 00:01.000\nThe regatta starts at noon.\n", encoding="utf-8"
    )
    summary = scan_source(catalog, "corpus")
    assert summary.counts["sidecars_changed"] == 1
    assert summary.counts["probed"] == 0
    assert "regatta" in _asset_by_path(catalog, "broadcast.ts")["sidecar_text"]
    assert scan_source(catalog, "corpus").counts["sidecars_changed"] == 0


def _cues(catalog: Catalog, rel_path: str) -> list[tuple[float, float, str]]:
    rows = catalog.conn.execute(
        "SELECT c.start_s, c.end_s, c.text FROM subtitle_cues c "
        "JOIN files f ON f.asset_id = c.asset_id WHERE f.rel_path = %s ORDER BY c.seq",
        (rel_path,),
    ).fetchall()
    return [(row["start_s"], row["end_s"], row["text"]) for row in rows]


def test_subtitle_cues_are_kept_with_their_timings_and_follow_the_sidecar(
    catalog: Catalog, corpus: tuple[Path, dict[str, Expected]]
) -> None:
    root, _ = corpus
    register(catalog, "corpus", root)
    scan_source(catalog, "corpus")
    assert _cues(catalog, "harbour/h264_aac.mp4") == [
        (0.0, 1.0, "The lighthouse keeper waves at the ferry.")
    ]

    # A catalog scanned before cues were kept (migration 0008 marks every file with
    # sidecars so): the next scan re-reads the sidecars only, probing nothing again.
    catalog.conn.execute("DELETE FROM subtitle_cues")
    catalog.conn.execute("UPDATE files SET sidecar_signature = -1 WHERE sidecar_signature <> 0")
    catalog.commit()
    summary = scan_source(catalog, "corpus")
    assert summary.counts["probed"] == 0
    assert _cues(catalog, "harbour/h264_aac.mp4")[0][2].startswith("The lighthouse keeper")

    srt = root / "harbour/h264_aac.srt"
    srt.write_text("1\n00:00:00,500 --> 00:00:00,900\nA new cue.\n", encoding="utf-8")
    scan_source(catalog, "corpus")
    assert _cues(catalog, "harbour/h264_aac.mp4") == [(0.5, 0.9, "A new cue.")]
    srt.unlink()
    scan_source(catalog, "corpus")
    assert _cues(catalog, "harbour/h264_aac.mp4") == []
