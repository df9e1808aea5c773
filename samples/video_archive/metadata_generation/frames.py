"""Sample still frames from a video with ffmpeg (rotation applied, downscaled).

Called by silver for posters, the contact sheet and the perceptual hash. All the sampling
runs of one file share one time budget (``MediaLimits.timeout_for`` its duration)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from PIL import Image

from samples.video_archive.ffmpeg.runner import (
    MediaError,
    MediaLimits,
    MediaTimeoutError,
    run_ffmpeg,
    seconds,
)

SAMPLE_WIDTH = 320
# Up to this duration one decoding pass is cheaper than one seek per frame.
SINGLE_PASS_MAX_S = 60.0


class FrameExtractionError(MediaError):
    """ffmpeg decoded no frame from the video."""


def sample_frames(
    location: str, duration_s: float | None, limits: MediaLimits, count: int = 12
) -> list[Image.Image]:
    """``count`` frames spread evenly over the video, in time order (fewer if it is short)."""
    duration = max(duration_s or 0.0, 0.04)
    scale = f"scale={SAMPLE_WIDTH}:-2"
    budget = limits.timeout_for(duration_s)
    deadline = time.monotonic() + budget
    with tempfile.TemporaryDirectory(prefix="va-frames-", dir=limits.scratch_dir) as tmp:
        out = Path(tmp)
        try:
            if duration <= SINGLE_PASS_MAX_S:
                run_ffmpeg(location, ["-vf", f"fps={count}/{duration:.3f},{scale}",
                                      "-frames:v", str(count), str(out / "f%03d.png")],
                           limits, budget)  # fmt: skip
            else:
                for i in range(count):
                    at = duration * (i + 0.5) / count
                    left = max(deadline - time.monotonic(), 0.1)
                    run_ffmpeg(location, ["-frames:v", "1", "-vf", scale,
                                          str(out / f"f{i:03d}.png")],
                               limits, left, before_input=["-ss", f"{at:.3f}"])  # fmt: skip
        except MediaTimeoutError as exc:
            raise MediaTimeoutError(f"decode exceeded {seconds(budget)} s") from exc
        frames = []
        for path in sorted(out.glob("f*.png")):
            with Image.open(path) as image:
                frames.append(image.convert("RGB"))
    if not frames:
        raise FrameExtractionError("no frame could be decoded")
    return frames
