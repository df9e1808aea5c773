"""Small synthetic videos made with ffmpeg, for tests and benchmarks.

``make_corpus`` writes one directory with every case the archive must handle: several
codecs and containers, no audio, rotation, variable frame rate, a single frame, camera and
GPS tags, sidecars, unicode and spaces in names, and the bad ones (corrupt, zero bytes, a
text file named .mp4, a symlink loop). Clips are 1 s at 160x120 so a corpus takes a few
seconds to make.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

_TESTSRC = "testsrc2=size=160x120:rate=25:duration={d}"
_SINE = "sine=frequency=440:duration={d}"


@dataclass(frozen=True)
class Expected:
    """What the catalog should say about one corpus file (None = don't check)."""

    video_codec: str | None = None
    audio_codec: str | None = None
    container: str | None = None
    rotation: int | None = None
    variable_fps: bool | None = None
    quarantined: bool = False


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly; raise with its message on failure."""
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-nostdin", *args], capture_output=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {result.stderr.decode(errors='replace')[-500:]}")


def make_clip(
    path: Path,
    *,
    vcodec: str = "libx264",
    acodec: str | None = "aac",
    duration: float = 1.0,
    extra: tuple[str, ...] = (),
    video_filter: str | None = None,
    pattern: str = "testsrc2",
) -> Path:
    """One clip from ffmpeg's test sources."""
    path.parent.mkdir(parents=True, exist_ok=True)
    source = _TESTSRC.format(d=duration).replace("testsrc2", pattern, 1)
    args = ["-f", "lavfi", "-i", source]
    if acodec:
        args += ["-f", "lavfi", "-i", _SINE.format(d=duration), "-c:a", acodec, "-shortest"]
    if video_filter:
        args += ["-vf", video_filter]
    args += ["-c:v", vcodec]
    if vcodec == "libx264":
        args += ["-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if vcodec == "libvpx-vp9":
        args += ["-deadline", "realtime", "-cpu-used", "8"]
    ffmpeg(*args, *extra, str(path))
    return path


def make_corpus(root: Path) -> dict[str, Expected]:
    """Write the test corpus under ``root``; return expectations keyed by relative path."""
    root.mkdir(parents=True, exist_ok=True)
    expected: dict[str, Expected] = {}
    _codec_variety(root, expected)
    _tricky_videos(root, expected)
    _unreadable_files(root, expected)
    for leftover in (root / ".work").iterdir():
        leftover.unlink()
    (root / ".work").rmdir()
    return expected


def _codec_variety(root: Path, expected: dict[str, Expected]) -> None:
    """Common containers and codecs, one clip each."""
    make_clip(root / "harbour/h264_aac.mp4")
    (root / "harbour/h264_aac.srt").write_text(
        "1\n00:00:00,000 --> 00:00:01,000\nThe lighthouse keeper waves at the ferry.\n",
        encoding="utf-8",
    )
    expected["harbour/h264_aac.mp4"] = Expected("h264", "aac", "mov", 0, False)

    make_clip(root / "vp9_opus.webm", vcodec="libvpx-vp9", acodec="libopus")
    expected["vp9_opus.webm"] = Expected("vp9", "opus", "matroska")

    make_clip(root / "mpeg4.avi", vcodec="mpeg4", acodec="mp3")
    expected["mpeg4.avi"] = Expected("mpeg4", "mp3", "avi")

    make_clip(root / "broadcast.ts", vcodec="mpeg2video", acodec="mp2")
    expected["broadcast.ts"] = Expected("mpeg2video", "mp2", "mpegts")

    make_clip(root / "no_audio.mkv", acodec=None)
    expected["no_audio.mkv"] = Expected("h264", None, "matroska")


def _tricky_videos(root: Path, expected: dict[str, Expected]) -> None:
    """Readable videos that need care: rotation, variable frame rate, a single frame,
    camera metadata and sidecars, a black start, a scene cut, a non-ASCII path."""
    base = make_clip(root / ".work/rot_base.mp4")
    ffmpeg("-i", str(base), "-c", "copy", "-metadata:s:v:0", "rotate=90",
           str(root / "rotated.mov"))  # fmt: skip
    expected["rotated.mov"] = Expected("h264", "aac", "mov", rotation=90)

    make_clip(
        root / "variable_rate.mkv",
        acodec=None,
        duration=2,
        video_filter="setpts='if(lt(N,25),N/25/TB,(25+(N-25)*3)/25/TB)'",
        extra=("-fps_mode", "passthrough"),
    )
    expected["variable_rate.mkv"] = Expected("h264", None, variable_fps=True)

    make_clip(root / "one_frame.mp4", acodec=None, extra=("-frames:v", "1"))
    expected["one_frame.mp4"] = Expected("h264", None)

    make_clip(
        root / "camera.mp4",
        extra=(
            "-movflags", "use_metadata_tags",
            "-metadata", "com.apple.quicktime.make=Canon",
            "-metadata", "com.apple.quicktime.model=EOS R5",
            "-metadata", "location=+48.8584+002.2945/",
            "-metadata", "creation_time=2024-05-01T10:00:00Z",
        ),
    )  # fmt: skip
    (root / "camera.xmp").write_text(_XMP, encoding="utf-8")
    (root / "camera.json").write_text(
        '{"description": "Golden hour over the old quay", "tags": ["quay", "sunset"]}',
        encoding="utf-8",
    )
    expected["camera.mp4"] = Expected("h264", "aac", "mov")

    make_clip(
        root / "fade_in.mp4",
        acodec=None,
        video_filter="drawbox=color=black:t=fill:enable='lt(t,0.5)'",
    )
    expected["fade_in.mp4"] = Expected("h264", None)

    ffmpeg(
        "-f", "lavfi", "-i", _TESTSRC.format(d=1),
        "-f", "lavfi", "-i", "smptebars=size=160x120:rate=25:duration=1",
        "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]", "-map", "[v]",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        str(root / "two_scenes.mp4"),
    )  # fmt: skip
    expected["two_scenes.mp4"] = Expected("h264", None)

    make_clip(root / "Ünïcode dir/Fête à la plage ☀ 2024.mp4", acodec=None)
    expected["Ünïcode dir/Fête à la plage ☀ 2024.mp4"] = Expected("h264", None)


def _unreadable_files(root: Path, expected: dict[str, Expected]) -> None:
    """Files a scan must quarantine or skip: truncated, empty, not a video, symlink loops."""
    good = (root / "harbour/h264_aac.mp4").read_bytes()
    (root / "corrupt.mp4").write_bytes(good[: len(good) // 3])
    expected["corrupt.mp4"] = Expected(quarantined=True)
    (root / "zero_bytes.mp4").write_bytes(b"")
    expected["zero_bytes.mp4"] = Expected(quarantined=True)
    (root / "not_a_video.mp4").write_text("this is a shopping list, not a film\n" * 50)
    expected["not_a_video.mp4"] = Expected(quarantined=True)
    os.symlink(".", root / "loop")  # a directory symlink pointing at its own parent
    os.symlink("self_loop.mp4", root / "self_loop.mp4")  # a file symlink to itself


_XMP = """<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Quay at dusk</rdf:li></rdf:Alt></dc:title>
   <dc:subject><rdf:Bag><rdf:li>harbour</rdf:li><rdf:li>boats</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""
