"""ffmpeg and ffprobe as the archive runs them: bounded, confined, quiet, GPU when there is
one (``runner``, ``acceleration``)."""

from samples.video_archive.ffmpeg.acceleration import Acceleration, select_acceleration
from samples.video_archive.ffmpeg.runner import (
    MediaError,
    MediaLimits,
    MediaTimeoutError,
    run_ffmpeg,
    stream_ffmpeg,
)

__all__ = [
    "Acceleration",
    "MediaError",
    "MediaLimits",
    "MediaTimeoutError",
    "run_ffmpeg",
    "select_acceleration",
    "stream_ffmpeg",
]
