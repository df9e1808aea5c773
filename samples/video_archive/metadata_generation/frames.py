"""Sample still frames from a video with ffmpeg (rotation applied, downscaled)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from PIL import Image

SAMPLE_WIDTH = 320
# Up to this duration one decoding pass is cheaper than one seek per frame.
SINGLE_PASS_MAX_S = 60.0


class FrameExtractionError(RuntimeError):
    """ffmpeg could not decode frames from the video."""


def _run(args: list[str]) -> None:
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-y", *args], capture_output=True, check=False
    )
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise FrameExtractionError(message[-1] if message else "ffmpeg failed")


def sample_frames(location: str, duration_s: float | None, count: int = 12) -> list[Image.Image]:
    """``count`` frames spread evenly over the video, in time order (fewer if it is short)."""
    duration = max(duration_s or 0.0, 0.04)
    scale = f"scale={SAMPLE_WIDTH}:-2"
    with tempfile.TemporaryDirectory(prefix="va-frames-") as tmp:
        out = Path(tmp)
        if duration <= SINGLE_PASS_MAX_S:
            _run(["-i", location, "-vf", f"fps={count}/{duration:.3f},{scale}",
                  "-frames:v", str(count), str(out / "f%03d.png")])  # fmt: skip
        else:
            for i in range(count):
                at = duration * (i + 0.5) / count
                _run(["-ss", f"{at:.3f}", "-i", location, "-frames:v", "1", "-vf", scale,
                      str(out / f"f{i:03d}.png")])  # fmt: skip
        frames = []
        for path in sorted(out.glob("f*.png")):
            with Image.open(path) as image:
                frames.append(image.convert("RGB"))
    if not frames:
        raise FrameExtractionError("no frame could be decoded")
    return frames
