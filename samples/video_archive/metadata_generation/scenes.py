"""Scene cuts with PySceneDetect's content detector, on frames decoded by ffmpeg.

ffmpeg (bounded, confined, GPU-decoded when possible: ``ffmpeg.runner``) writes small raw
frames at a constant rate to a pipe; the detector scores each one. This decodes the whole
file once, so ffmpeg's error-level messages of this pass (a truncated or damaged stream)
are returned too, for the quality checks."""

from __future__ import annotations

import numpy as np
from scenedetect import ContentDetector
from scenedetect.common import FrameTimecode

from samples.video_archive.ffmpeg.runner import MediaLimits, stream_ffmpeg

# Content scores do not depend on the frame size; 256 x 144 keeps the pass cheap.
WIDTH, HEIGHT = 256, 144
DEFAULT_FPS = 25.0


def scene_cuts(
    location: str,
    limits: MediaLimits,
    *,
    duration_s: float | None,
    fps: float | None,
    threshold: float = 27.0,
) -> tuple[list[float], list[str]]:
    """(times in s where a new scene starts, the start excluded; decoding problems)."""
    rate = float(fps) if fps and 1.0 <= fps <= 240.0 else DEFAULT_FPS
    detector = ContentDetector(threshold=threshold)
    output = [
        "-map", "0:v:0", "-an", "-sn", "-dn",
        "-vf", f"fps={rate:.6f},scale={WIDTH}:{HEIGHT}",
        "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1",
    ]  # fmt: skip
    problems: list[str] = []
    cuts: list[FrameTimecode] = []
    index = 0
    frames = stream_ffmpeg(
        location, output, limits, limits.timeout_for(duration_s), WIDTH * HEIGHT * 3, problems
    )
    for raw in frames:
        frame = np.frombuffer(raw, dtype=np.uint8).reshape(HEIGHT, WIDTH, 3)
        cuts += detector.process_frame(FrameTimecode(index, rate), frame)
        index += 1
    cuts += detector.post_process(FrameTimecode(max(index - 1, 0), rate))
    return sorted({round(c.seconds, 3) for c in cuts if c.seconds > 0}), problems
