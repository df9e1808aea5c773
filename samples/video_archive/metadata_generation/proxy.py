"""Browser-playable H.264 proxies for originals that browsers cannot play."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

PROXY_MAX_HEIGHT = 720
_MP4_AUDIO = {None, "aac", "mp3"}
_WEBM_VIDEO = {"vp8", "vp9", "av1"}
_WEBM_AUDIO = {None, "opus", "vorbis"}


class ProxyError(RuntimeError):
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


def make_proxy(location: str, target: Path) -> Path:
    """Transcode to H.264/AAC MP4 (faststart, at most 720 lines), atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp.mp4")
    command = [
        "ffmpeg", "-v", "error", "-nostdin", "-y", "-i", location,
        "-map", "0:v:0", "-map", "0:a:0?",
        "-vf", f"scale=-2:'trunc(min({PROXY_MAX_HEIGHT},ih)/2)*2'",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart",
        str(tmp),
    ]  # fmt: skip
    result = subprocess.run(
        command,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        tmp.unlink(missing_ok=True)
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ProxyError(lines[-1] if lines else "ffmpeg failed")
    tmp.replace(target)
    return target
