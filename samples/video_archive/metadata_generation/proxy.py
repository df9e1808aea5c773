"""Browser-playable H.264 proxies for originals that browsers cannot play.

The output contract is the same on the CPU (libx264) and the GPU (NVENC): H.264 in MP4,
yuv420p, at most 720 lines, AAC audio, faststart, the original's duration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from samples.video_archive.ffmpeg.acceleration import NVENC_ENCODER
from samples.video_archive.ffmpeg.runner import MediaError, MediaLimits, run_ffmpeg

PROXY_MAX_HEIGHT = 720
_MP4_AUDIO = {None, "aac", "mp3"}
_WEBM_VIDEO = {"vp8", "vp9", "av1"}
_WEBM_AUDIO = {None, "opus", "vorbis"}
# Comparable quality on both paths: constant-quality 26 (libx264 CRF, NVENC CQ).
_ENCODER_OPTIONS = {
    "libx264": ["-c:v", "libx264", "-preset", "veryfast", "-crf", "26"],
    NVENC_ENCODER: ["-c:v", NVENC_ENCODER, "-preset", "p4", "-rc", "vbr", "-cq", "26",
                    "-b:v", "0"],
}  # fmt: skip


class ProxyError(MediaError):
    """ffmpeg could not transcode the original."""


def is_browser_playable(asset: dict[str, Any], rel_path: str) -> bool:
    """True when common browsers play the original as it is (MP4/H.264, WebM/VP9...)."""
    suffix = Path(rel_path).suffix.lower()
    video, audio = asset.get("video_codec"), asset.get("audio_codec")
    pix_fmt = next(
        (s.get("pix_fmt") for s in (asset.get("probe") or {}).get("streams", [])
         if s.get("codec_type") == "video"),
        None,
    )  # fmt: skip
    if suffix in {".mp4", ".m4v"} and video == "h264" and audio in _MP4_AUDIO:
        return pix_fmt in {None, "yuv420p", "yuvj420p"}
    return suffix == ".webm" and video in _WEBM_VIDEO and audio in _WEBM_AUDIO


def proxy_options(encoder: str) -> list[str]:
    """Output options of the proxy for ``encoder`` (libx264 or h264_nvenc)."""
    return [
        "-map", "0:v:0", "-map", "0:a:0?",
        "-vf", f"scale=-2:'trunc(min({PROXY_MAX_HEIGHT},ih)/2)*2'",
        *_ENCODER_OPTIONS[encoder], "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart",
    ]  # fmt: skip


def make_proxy(location: str, target: Path, limits: MediaLimits, duration_s: float | None) -> Path:
    """Transcode to ``target`` (a scratch file; silver stores it afterwards)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    options = proxy_options(limits.acceleration.encoder)
    try:
        run_ffmpeg(location, [*options, str(target)], limits, limits.timeout_for(duration_s))
    except MediaError:
        target.unlink(missing_ok=True)
        raise
    return target
