"""What a source is and what a hostile file costs: symlinks out of the root, playlists that
point elsewhere, pictures named like videos, named pipes, a file whose decode is far
slower than its stated duration, a truncated file, one that became unreadable. Each is
skipped, quarantined or reported with its reason; the run finishes; the terminal stays
clean (ffmpeg's messages go to the debug log).

The slow file: a 1 s, 1280x720 grey H.264 clip repeated 1,200 times by stream copy
(``-stream_loop``) into Matroska, then the Segment Info Duration (EBML id 0x4489, an 8-byte
float after ``44 89 88``) overwritten with 40 ms. ffprobe 5.1 reports 0.04 s; decoding the
20 minutes of frames takes seconds to minutes. The time bound follows the stated duration,
so the decode exceeds it and the file is quarantined. (A named pipe that never gets data
hangs ffmpeg for ever in open(); scans skip pipes, and a pipe swapped in later is refused
before ffmpeg runs: ``test_named_pipes_never_hang_a_run``.)
"""

from __future__ import annotations

import logging
import os
import shutil
import struct
import time
from pathlib import Path

import pytest
from va_testlib import register

from samples.video_archive.catalog import Catalog
from samples.video_archive.config import Settings
from samples.video_archive.ffmpeg.runner import (
    MediaLimits,
    MediaTimeoutError,
    run_ffmpeg,
    stream_ffmpeg,
)
from samples.video_archive.ingestion.probe import NotAVideoError, run_ffprobe
from samples.video_archive.ingestion.scanner import scan_source
from samples.video_archive.pipeline import run_silver
from samples.video_archive.synthetic import ffmpeg, make_clip

pytestmark = pytest.mark.slow


def make_liar(path: Path, *, loops: int = 1200, claimed_ms: float = 40.0) -> Path:
    """A small file that claims ``claimed_ms`` but holds ``loops`` seconds of 720p frames."""
    one_second = path.with_name("one-second.mkv")
    grey = "color=c=gray:size=1280x720:rate=25:duration=1"
    ffmpeg("-f", "lavfi", "-i", grey, "-c:v", "libx264", "-preset", "ultrafast",
           "-pix_fmt", "yuv420p", str(one_second))  # fmt: skip
    ffmpeg("-stream_loop", str(loops - 1), "-i", str(one_second), "-c", "copy", str(path))
    one_second.unlink()
    data = bytearray(path.read_bytes())
    at = data.find(b"\x44\x89\x88")
    assert at > 0, "no Segment Duration element"
    data[at + 3 : at + 11] = struct.pack(">d", claimed_ms)
    path.write_bytes(bytes(data))
    return path


def _hls_playlist(target: str) -> str:
    return f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{target}\n#EXT-X-ENDLIST\n"


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg/ffprobe not installed (Debian package 'ffmpeg')")
    base = tmp_path_factory.mktemp("hostile")
    root, outside = base / "root", base / "outside"
    make_clip(root / "clip.mp4")
    make_clip(root / "other.mkv", acodec=None)
    make_clip(root / "one_frame.mp4", acodec=None, extra=("-frames:v", "1"))
    make_liar(root / "liar.mkv")
    make_clip(outside / "secret.mp4", duration=2.0)
    make_clip(outside / "secret.ts", vcodec="mpeg2video", acodec=None)
    long = make_clip(base / "long.mp4", duration=4.0, extra=("-movflags", "+faststart"))
    data = long.read_bytes()
    (root / "truncated.mp4").write_bytes(data[: len(data) // 2])
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120", "-frames:v", "1",
           "-f", "image2", "-c:v", "png", str(root / "holiday.mp4"))  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120", "-frames:v", "1",
           "-f", "image2", "-c:v", "mjpeg", str(root / "photo.mov"))  # fmt: skip
    (root / "playlist.mp4").write_text(_hls_playlist("../outside/secret.ts"))
    os.symlink(outside / "secret.mp4", root / "escape.mp4")
    os.symlink("clip.mp4", root / "inside_link.mp4")
    return base


@pytest.fixture
def hostile(hostile_template: Path, tmp_path: Path) -> tuple[Path, Path]:
    copy = tmp_path / "hostile"
    shutil.copytree(hostile_template, copy, symlinks=True)
    escape = copy / "root/escape.mp4"  # re-point at this copy's outside file
    escape.unlink()
    os.symlink(copy / "outside/secret.mp4", escape)
    os.mkfifo(copy / "root/pipe.mp4")  # (copytree cannot copy a pipe)
    return copy / "root", copy / "outside"


def _asset(catalog: Catalog, rel_path: str) -> dict:
    row = catalog._one(
        "SELECT a.* FROM assets a JOIN files f ON f.asset_id = a.id WHERE f.rel_path = %s",
        (rel_path,),
    )
    assert row is not None, rel_path
    return row


def test_bronze_skips_or_quarantines_with_reasons(
    catalog: Catalog, hostile: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, outside = hostile
    from samples.video_archive.ingestion import scanner

    probed: list[str] = []
    real_probe = scanner.probe

    def recording_probe(location: str, timeout_s: float = 60.0) -> object:
        probed.append(location)
        return real_probe(location, timeout_s)

    monkeypatch.setattr(scanner, "probe", recording_probe)
    register(catalog, "hostile", root)
    summary = scan_source(catalog, "hostile")

    skipped = {e["path"]: e["reason"] for e in summary.errors}
    assert skipped["escape.mp4"] == "symlink to a file outside the source, not followed"
    assert skipped["pipe.mp4"] == "not a regular file (a named pipe)"
    assert not [p for p in probed if str(outside) in os.path.realpath(p)]  # nothing outside
    assert (
        catalog._one(
            "SELECT count(*) AS n FROM files WHERE rel_path IN ('escape.mp4', 'pipe.mp4')"
        )["n"]
        == 0
    )

    assert _asset(catalog, "holiday.mp4")["quarantine_reason"] == (
        "a still image, not a video (png)"
    )
    assert _asset(catalog, "photo.mov")["quarantine_reason"] == (
        "a still image, not a video (mjpeg)"
    )
    assert "format hls is not read" in _asset(catalog, "playlist.mp4")["quarantine_reason"]
    one_frame = _asset(catalog, "one_frame.mp4")
    assert one_frame["status"] == "probed" and one_frame["duration_s"] < 0.5  # still a video
    liar = _asset(catalog, "liar.mkv")
    assert liar["status"] == "probed" and liar["duration_s"] == pytest.approx(0.04)
    # A symlink inside the root is one more path to the same content.
    assert _asset(catalog, "inside_link.mp4")["id"] == _asset(catalog, "clip.mp4")["id"]


def test_silver_bounds_hostile_files_and_keeps_the_terminal_clean(
    catalog: Catalog,
    catalog_dsn: str,
    hostile: tuple[Path, Path],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    root, _ = hostile
    register(catalog, "hostile", root)
    scan_source(catalog, "hostile")
    os.chmod(root / "other.mkv", 0)  # unreadable (for a non-root user) ...
    (root / "other.mkv").unlink()  # ... and, for root too, gone behind a dangling link
    os.symlink("no-such-file.mkv", root / "other.mkv")
    settings = Settings(
        catalog_dsn=catalog_dsn,
        derivatives_dir=tmp_path / "derivatives",
        workers=2,
        gpu="off",
        ffmpeg_timeout_base_s=5.0,
        ffmpeg_timeout_factor=1.0,
    )
    capfd.readouterr()
    caplog.set_level(logging.DEBUG, logger="samples.video_archive")
    started = time.monotonic()
    result = run_silver(settings)
    elapsed = time.monotonic() - started

    counts = result["counts"]
    reasons = {int(e["asset_id"]): e["reason"] for e in result["errors"]}
    liar = _asset(catalog, "liar.mkv")
    assert liar["status"] == "quarantined"
    assert liar["quarantine_reason"] == "decode exceeded 5.0 s"
    assert reasons[liar["id"]] == "decode exceeded 5.0 s"
    assert "No such file" in reasons[_asset(catalog, "other.mkv")["id"]]  # reported, retried
    truncated = _asset(catalog, "truncated.mp4")
    assert truncated["derived_at"] is not None
    assert any(i.startswith("decode errors:") for i in truncated["quality_issues"])
    assert counts["derived"] == 3  # clip, one_frame, truncated
    assert counts["quarantined"] == 1 and counts["errors"] == 1
    assert elapsed < 120  # the slow file cost its bound, not its length

    err = capfd.readouterr().err
    assert "partial file" not in err and "@ 0x" not in err  # nothing from ffmpeg on screen
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("truncated.mp4" in m and "partial file" in m for m in logged)


def test_named_pipes_never_hang_a_run(tmp_path: Path, catalog: Catalog, catalog_dsn: str) -> None:
    fifo = tmp_path / "never.mp4"
    os.mkfifo(fifo)
    limits = MediaLimits(threads=1)
    started = time.monotonic()
    with pytest.raises(NotAVideoError, match=r"^probe exceeded 1\.0 s$"):
        run_ffprobe(str(fifo), timeout_s=1.0)
    with pytest.raises(MediaTimeoutError, match=r"^decode exceeded 1\.0 s$"):
        run_ffmpeg(str(fifo), ["-f", "null", "-"], limits, 1.0)
    with pytest.raises(MediaTimeoutError, match=r"^decode exceeded 1\.0 s$"):
        list(stream_ffmpeg(str(fifo), ["-f", "rawvideo", "pipe:1"], limits, 1.0, 1024))
    assert time.monotonic() - started < 30

    # A catalogued file swapped for a pipe after the scan is refused before ffmpeg runs.
    root = tmp_path / "root"
    make_clip(root / "clip.mp4")
    register(catalog, "pipes", root)
    scan_source(catalog, "pipes")
    (root / "clip.mp4").unlink()
    os.mkfifo(root / "clip.mp4")
    settings = Settings(catalog_dsn=catalog_dsn, derivatives_dir=tmp_path / "d", gpu="off")
    result = run_silver(settings)
    assert result["counts"]["errors"] == 1
    assert "not a regular file (a named pipe)" in result["errors"][0]["reason"]
