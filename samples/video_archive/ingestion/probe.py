"""Technical metadata from ffprobe's JSON output.

One ffprobe call per file reads the container, the streams and the first packets of the
video stream (for variable-frame-rate detection). A file ffprobe cannot read, one with no
video stream, a picture (PNG, JPEG, ... whatever its name says) or one whose probe exceeds
its time bound raises ``NotAVideoError`` with a reason fit for the quarantine list. The
run is confined and quiet like every ffmpeg run (``samples.video_archive.ffmpeg.runner``).
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from dataclasses import dataclass, field, fields
from datetime import datetime
from fractions import Fraction
from typing import Any

from samples.video_archive.ffmpeg.runner import (
    IMAGE_DEMUXERS,
    error_lines,
    guarded,
    input_options,
    log_output,
    seconds,
)

FFPROBE_TIMEOUT_S = 60.0
VFR_SAMPLE_PACKETS = 240
# ISO 6709 as written by phones, e.g. "+37.7749-122.4194+012.000/".
_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)")
_MAKE_TAGS = ("com.apple.quicktime.make", "make", "com.android.manufacturer")
_MODEL_TAGS = ("com.apple.quicktime.model", "model", "com.android.model")
_LOCATION_TAGS = ("com.apple.quicktime.location.ISO6709", "location", "location-eng")


class NotAVideoError(Exception):
    """The file cannot be used as a video; ``str(exc)`` is the quarantine reason."""


@dataclass
class ProbeResult:
    container: str | None
    duration_s: float | None
    width: int | None
    height: int | None
    fps: float | None
    variable_fps: bool
    rotation: int
    video_codec: str | None
    audio_codec: str | None
    audio_channels: int | None
    audio_layout: str | None
    bit_rate: int | None
    creation_time: datetime | None
    camera_make: str | None
    camera_model: str | None
    gps_lat: float | None
    gps_lon: float | None
    raw: dict[str, Any] = field(repr=False)

    def as_row(self) -> dict[str, Any]:
        """Column values for the catalog (``raw`` becomes the ``probe`` JSON column)."""
        # Shallow: the fields are scalars but ``raw``, which is only serialised; asdict's deep
        # copy of ffprobe's JSON cost the scan more CPU than its catalog writes.
        row = {f.name: getattr(self, f.name) for f in fields(self)}
        row["probe"] = row.pop("raw")
        return row


def ffprobe_command(location: str) -> list[str]:
    """The exact ffprobe invocation (the benchmark's floor uses the same one)."""
    return [
        "ffprobe", "-hide_banner", "-loglevel", "level+error", "-print_format", "json",
        "-show_format", "-show_streams",
        "-show_entries", "packet=stream_index,pts_time",
        "-read_intervals", f"%+#{VFR_SAMPLE_PACKETS}",
        *input_options(location), location,
    ]  # fmt: skip


def run_ffprobe(location: str, timeout_s: float = FFPROBE_TIMEOUT_S) -> dict[str, Any]:
    """Raw ffprobe JSON for a path or URL; NotAVideoError when ffprobe cannot read it or
    takes longer than ``timeout_s`` (ffprobe's stderr goes to the debug log)."""
    try:
        result = subprocess.run(
            guarded(ffprobe_command(location)), capture_output=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise NotAVideoError(f"probe exceeded {seconds(timeout_s)} s") from exc
    except FileNotFoundError as exc:
        raise RuntimeError("ffprobe not found: install the Debian package 'ffmpeg'") from exc
    stderr = result.stderr.decode("utf-8", "replace").strip()
    lines = log_output("ffprobe", location, stderr)
    if result.returncode != 0:
        raise NotAVideoError(_reason(stderr, lines, location))
    try:
        return json.loads(result.stdout or b"{}")
    except json.JSONDecodeError as exc:
        raise NotAVideoError("ffprobe returned unreadable output") from exc


_NOT_ON_WHITELIST = re.compile(r"\[([\w,]+) @ 0x[0-9a-f]+\].*Format not on whitelist")


def _reason(stderr: str, lines: list[str], location: str) -> str:
    """Why ffprobe failed: a refused format by name, else ffprobe's distinct messages
    without the '[demuxer @ 0x..]' and file-name prefixes."""
    refused = _NOT_ON_WHITELIST.search(stderr)
    if refused:
        return (
            f"format {refused.group(1).split(',')[0]} is not read by the archive "
            "(playlists and scripts can open other files)"
        )
    reasons: list[str] = []
    for text in error_lines(stderr) or lines:
        text = text.removeprefix(f"{location}: ").strip()
        if text and text not in reasons:
            reasons.append(text)
    return f"ffprobe cannot read it: {'; '.join(reasons[-3:]) or 'unknown error'}"


def _ratio(value: str | None) -> float | None:
    if not value or value in {"0/0", "0/1"}:
        return None
    try:
        return float(Fraction(value))
    except (ValueError, ZeroDivisionError):
        return None


def _number(value: Any, kind: type = float) -> Any:
    try:
        return kind(value) if value not in (None, "", "N/A") else None
    except (TypeError, ValueError):
        return None


def _rotation(stream: dict[str, Any]) -> int:
    for side in stream.get("side_data_list", []):
        if "rotation" in side:
            return round(float(side["rotation"])) % 360
    return int(_number(stream.get("tags", {}).get("rotate"), int) or 0) % 360


def _variable_fps(packets: list[dict[str, Any]], stream_index: int) -> bool:
    times = sorted(
        t
        for p in packets
        if p.get("stream_index") == stream_index and (t := _number(p.get("pts_time"))) is not None
    )
    deltas = [b - a for a, b in itertools.pairwise(times) if b > a]
    if len(deltas) < 4:
        return False
    deltas.sort()
    median = deltas[len(deltas) // 2]
    # Container timebases round timestamps (e.g. 33/34 ms at 30 fps in Matroska); a real
    # rate change moves many frame intervals well away from the median.
    off = sum(1 for d in deltas if abs(d - median) > 0.25 * median)
    return off / len(deltas) > 0.05


def _tag(tags: dict[str, str], names: tuple[str, ...]) -> str | None:
    lowered = {k.lower(): v for k, v in tags.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value and value.strip():
            return value.strip()
    return None


def _creation_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _refuse_pictures(fmt: dict[str, Any], video: dict[str, Any], packets: list[Any]) -> None:
    """A picture read by an image demuxer is not a video, whatever its file name says; an
    animated GIF (more than one frame) is let through as a (short) video."""
    demuxer = (fmt.get("format_name") or "").split(",")[0]
    if demuxer not in IMAGE_DEMUXERS:
        return
    frames = sum(1 for p in packets if p.get("stream_index") == video.get("index", 0))
    if demuxer.startswith("gif") and frames > 1:
        return
    raise NotAVideoError(f"a still image, not a video ({video.get('codec_name', demuxer)})")


def parse_probe(data: dict[str, Any]) -> ProbeResult:
    """Interpret ffprobe JSON; NotAVideoError if there is no decodable video stream."""
    streams = data.get("streams", [])
    fmt = data.get("format", {})
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
        ),
        None,
    )
    if video is None:
        kinds = sorted({s.get("codec_type", "?") for s in streams}) or ["none"]
        raise NotAVideoError(f"no video stream (streams found: {', '.join(kinds)})")
    _refuse_pictures(fmt, video, data.get("packets", []))
    if not video.get("width") or not video.get("height"):
        raise NotAVideoError(f"video stream {video.get('codec_name', '?')} has no frame size")
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    tags = {**fmt.get("tags", {}), **video.get("tags", {})}
    location = _tag(tags, _LOCATION_TAGS)
    gps = _ISO6709.match(location) if location else None
    duration = _number(fmt.get("duration")) or _number(video.get("duration"))
    return ProbeResult(
        container=(fmt.get("format_name") or "").split(",")[0] or None,
        duration_s=duration,
        width=int(video["width"]),
        height=int(video["height"]),
        fps=_ratio(video.get("avg_frame_rate")) or _ratio(video.get("r_frame_rate")),
        variable_fps=_variable_fps(data.get("packets", []), int(video.get("index", 0))),
        rotation=_rotation(video),
        video_codec=video.get("codec_name"),
        audio_codec=audio.get("codec_name") if audio else None,
        audio_channels=_number(audio.get("channels"), int) if audio else None,
        audio_layout=audio.get("channel_layout") if audio else None,
        bit_rate=_number(fmt.get("bit_rate"), int) or _number(video.get("bit_rate"), int),
        creation_time=_creation_time(tags.get("creation_time")),
        camera_make=_tag(tags, _MAKE_TAGS),
        camera_model=_tag(tags, _MODEL_TAGS),
        gps_lat=float(gps[1]) if gps else None,
        gps_lon=float(gps[2]) if gps else None,
        raw={k: v for k, v in data.items() if k != "packets"},
    )


def probe(location: str, timeout_s: float = FFPROBE_TIMEOUT_S) -> ProbeResult:
    """ffprobe a path or URL and interpret the result (bronze calls this per new file)."""
    return parse_probe(run_ffprobe(location, timeout_s))
