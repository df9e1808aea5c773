"""Silver: posters, sprites, scene cuts, proxies, perceptual hashes, quality checks."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from va_testlib import register, snapshot

from samples.video_archive.catalog import Catalog
from samples.video_archive.ingestion.scanner import scan_source
from samples.video_archive.metadata_generation import silver
from samples.video_archive.metadata_generation.stills import BLACK_LUMA, hamming, luma
from samples.video_archive.synthetic import Expected

pytestmark = pytest.mark.slow


def _asset(catalog: Catalog, rel_path: str) -> dict:
    row = catalog._one(
        "SELECT a.* FROM assets a JOIN files f ON f.asset_id = a.id WHERE f.rel_path = %s",
        (rel_path,),
    )
    assert row is not None
    return row


def test_derivatives_for_the_whole_corpus(
    catalog: Catalog, corpus: tuple[Path, dict[str, Expected]], tmp_path: Path
) -> None:
    root, expected = corpus
    derivatives = tmp_path / "derivatives"
    register(catalog, "corpus", root)
    scan_source(catalog, "corpus")
    before = snapshot(root)

    summary = silver.derive_pending(catalog, derivatives, workers=2)

    good = [p for p, e in expected.items() if not e.quarantined]
    assert summary.counts["errors"] == 0, summary.errors
    assert summary.counts["derived"] == len(good)
    assert snapshot(root) == before  # originals untouched, nothing written beside them
    for rel_path in good:
        asset = _asset(catalog, rel_path)
        for column in ("poster_path", "sprite_path"):
            path = Path(asset[column])
            assert path.is_relative_to(derivatives) and path.stat().st_size > 0, rel_path
        assert asset["phash"] and len(asset["phash"]) == 16
        assert asset["scene_cuts_s"] is not None

    playable = {
        "harbour/h264_aac.mp4",
        "vp9_opus.webm",
        "camera.mp4",
        "fade_in.mp4",
        "two_scenes.mp4",
        "one_frame.mp4",
        "Ünïcode dir/Fête à la plage ☀ 2024.mp4",
    }
    for rel_path in good:
        proxy = _asset(catalog, rel_path)["proxy_path"]
        assert (proxy is None) == (rel_path in playable), rel_path
    proxy = _asset(catalog, "mpeg4.avi")["proxy_path"]
    probe = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", proxy],
            capture_output=True,
            check=True,
        ).stdout
    )
    assert {s["codec_name"] for s in probe["streams"]} == {"h264", "aac"}

    with Image.open(_asset(catalog, "fade_in.mp4")["poster_path"]) as poster:
        assert luma(poster).mean() > BLACK_LUMA  # the black opening was skipped
    cuts = _asset(catalog, "two_scenes.mp4")["scene_cuts_s"]
    assert len(cuts) == 1 and cuts[0] == pytest.approx(1.0, abs=0.1)
    assert _asset(catalog, "harbour/h264_aac.mp4")["scene_cuts_s"] == []
    assert any("very short" in i for i in _asset(catalog, "one_frame.mp4")["quality_issues"])
    assert "variable frame rate" in _asset(catalog, "variable_rate.mkv")["quality_issues"]
    assert _asset(catalog, "harbour/h264_aac.mp4")["quality_issues"] == []

    # The same picture re-encoded is a near-duplicate; a different picture is not.
    h264 = _asset(catalog, "no_audio.mkv")["phash"]
    assert hamming(h264, _asset(catalog, "harbour/h264_aac.mp4")["phash"]) <= 6
    assert hamming(h264, _asset(catalog, "two_scenes.mp4")["phash"]) > 6

    again = silver.derive_pending(catalog, derivatives, workers=2)
    assert again.counts["derived"] == 0


def test_one_failing_asset_does_not_stop_the_batch(
    catalog: Catalog,
    corpus: tuple[Path, dict[str, Expected]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, expected = corpus
    register(catalog, "corpus", root)
    scan_source(catalog, "corpus")
    real = silver.sample_frames

    def failing(location: str, duration_s: float | None, limits: object, count: int = 12) -> list:
        if location.endswith("mpeg4.avi"):
            raise RuntimeError("decoder exploded")
        return real(location, duration_s, limits, count)

    monkeypatch.setattr(silver, "sample_frames", failing)
    monkeypatch.setattr(silver, "scene_cuts", lambda *a, **k: ([], []))  # keep this test quick
    summary = silver.derive_pending(catalog, tmp_path / "d", workers=2)
    good = [p for p, e in expected.items() if not e.quarantined]
    assert summary.counts["errors"] == 1
    assert "decoder exploded" in summary.errors[0]["reason"]
    assert summary.counts["derived"] == len(good) - 1
    assert _asset(catalog, "mpeg4.avi")["derived_at"] is None  # retried on the next run
