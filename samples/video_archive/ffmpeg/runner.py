"""Every ffmpeg and ffprobe run of the archive: bounded, confined and quiet.

* Bounded: each run has a timeout. ffmpeg's is derived from the file's probed duration
  (``MediaLimits.timeout_for``: base + factor x duration, at most a maximum, which is also
  the bound when the duration is unknown); ffprobe's is a fixed bound. A run that exceeds
  it is killed and raises ``MediaTimeoutError("decode exceeded N s")``; silver quarantines
  the file with that reason and the batch goes on.
* Pinned: ``-threads``/``-filter_threads`` from ``ffmpeg_threads`` (default 1), so that one
  task uses one core and per-task timings compare.
* Confined: ``-protocol_whitelist`` (``file`` for paths, http(s) for presigned URLs) and
  ``-format_whitelist`` (the demuxers below). Playlist and script demuxers (hls, concat,
  ...) are refused: they open files named inside the file, and an ``.mp4`` holding an HLS
  playlist otherwise makes ffprobe read ``../outside/secret.ts``, outside the source.
* Quiet: stderr is captured at warning level and every line goes to this module's logger
  at DEBUG, never to the terminal between the progress bars; a failure raises
  ``MediaError`` whose message is ffmpeg's own error lines.
* Never orphaned: ffmpeg and ffprobe start under ``setpriv --pdeathsig KILL``, so a task
  killed from outside (Airflow's execution timeout, a lost worker) takes its media runs
  with it instead of leaving them decoding a hostile file with nobody to time them out.
* GPU: with NVDEC available a run decodes with ``-hwaccel cuda``; if that run fails (a
  codec or profile the card cannot decode) it is repeated once on the CPU.

Callers: ``ingestion.probe`` (ffprobe), ``metadata_generation`` (frames, scenes, proxies).
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from samples.video_archive.ffmpeg.acceleration import CPU, Acceleration, acceleration_for

if TYPE_CHECKING:
    from samples.video_archive.config import Settings

logger = logging.getLogger(__name__)

# Demuxers for originals. Containers of video, and still-image readers so that a picture
# named .mp4 is recognised as a picture (``probe`` quarantines it) instead of failing.
VIDEO_DEMUXERS = (
    "mov", "matroska", "avi", "mpegts", "mpeg", "mpegvideo", "m4v", "h264", "hevc", "asf",
    "flv", "mxf", "ogg", "dv", "nut", "ivf", "rm", "gxf", "wtv", "yuv4mpegpipe", "obu",
)  # fmt: skip
IMAGE_DEMUXERS = (
    "image2", "png_pipe", "jpeg_pipe", "bmp_pipe", "webp_pipe", "tiff_pipe", "gif",
    "gif_pipe", "j2k_pipe", "jpegxl_pipe", "qoi_pipe", "psd_pipe", "svg_pipe",
)  # fmt: skip
FORMAT_WHITELIST = ",".join(VIDEO_DEMUXERS + IMAGE_DEMUXERS)
# util-linux's setpriv (Debian: always installed); without it runs are merely unguarded.
_DIE_WITH_PARENT = ["setpriv", "--pdeathsig", "KILL", "--"] if shutil.which("setpriv") else []
_LEVEL = re.compile(r"^(?:\[[^\]]+\]\s*)*\[(warning|error|fatal|panic)\]\s*")
_CONTEXT = re.compile(r"^(?:\[[^\]]+ @ 0x[0-9a-f]+\]\s*)+")


class MediaError(RuntimeError):
    """ffmpeg or ffprobe failed on the file; the message is its reason."""


class MediaTimeoutError(MediaError):
    """The run exceeded its bound; the message is the quarantine reason."""


@dataclass(frozen=True)
class MediaLimits:
    """Time, thread and hardware settings of every media run (from ``Settings``)."""

    threads: int = 1
    timeout_base_s: float = 120.0
    timeout_factor: float = 8.0
    timeout_max_s: float = 12 * 3600.0
    probe_timeout_s: float = 60.0
    acceleration: Acceleration = CPU
    scratch_dir: Path | None = field(default=None)

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaLimits:
        """The limits for this run; detects the GPU (once per process) unless it is off."""
        return cls(
            threads=settings.ffmpeg_threads,
            timeout_base_s=settings.ffmpeg_timeout_base_s,
            timeout_factor=settings.ffmpeg_timeout_factor,
            timeout_max_s=settings.ffmpeg_timeout_max_s,
            probe_timeout_s=settings.ffprobe_timeout_s,
            acceleration=acceleration_for(settings.gpu),
            scratch_dir=settings.scratch_dir,
        )

    def timeout_for(self, duration_s: float | None) -> float:
        """Seconds one ffmpeg run over a file of this duration may take."""
        if not duration_s or duration_s <= 0:
            return self.timeout_max_s
        return min(self.timeout_base_s + self.timeout_factor * duration_s, self.timeout_max_s)

    def thread_options(self) -> list[str]:
        """Global options: filter graph threads."""
        return ["-filter_threads", str(self.threads)] if self.threads else []

    def decoder_options(self) -> list[str]:
        """Per-file options (before ``-i``: decoder; after: encoder) pinning threads."""
        return ["-threads", str(self.threads)] if self.threads else []


def guarded(command: list[str]) -> list[str]:
    """``command`` so that it is killed when the thread that started it dies."""
    return [*_DIE_WITH_PARENT, *command]


def seconds(value: float) -> str:
    """A bound as the quarantine reason writes it (\"5.0\", \"120\")."""
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def input_options(location: str) -> list[str]:
    """What an original may make ffmpeg open: itself only (see the module docstring)."""
    web = location.startswith(("http://", "https://"))
    protocols = "http,https,tcp,tls" if web else "file"
    return ["-protocol_whitelist", protocols, "-format_whitelist", FORMAT_WHITELIST]


def log_output(tool: str, location: str, stderr: str) -> list[str]:
    """Send every stderr line to the debug log; return the lines without their prefixes."""
    lines: list[str] = []
    for raw in stderr.splitlines():
        if raw.strip():
            logger.debug("%s %s: %s", tool, location, raw.rstrip())
            lines.append(_CONTEXT.sub("", _LEVEL.sub("", raw.strip())).strip())
    return lines


def error_lines(stderr: str) -> list[str]:
    """The lines ffmpeg logged at error level or worse (``-loglevel level+...`` output)."""
    found = []
    for raw in stderr.splitlines():
        match = _LEVEL.match(raw.strip())
        if match and match.group(1) != "warning":
            found.append(_CONTEXT.sub("", raw.strip()[match.end() :]).strip())
    return found


def reason(lines: Sequence[str], location: str) -> str:
    """ffmpeg's distinct messages, the file name removed, last three kept."""
    kept: list[str] = []
    for line in lines:
        text = line.replace(f"{location}: ", "").strip()
        if text and text not in kept:
            kept.append(text)
    return "; ".join(kept[-3:]) or "unknown error"


def ffmpeg_command(
    location: str,
    output: Sequence[str],
    limits: MediaLimits,
    *,
    before_input: Sequence[str] = (),
    gpu: bool = False,
) -> list[str]:
    """The full command line: global, decoder and confinement options, input, output."""
    hwaccel = ["-hwaccel", limits.acceleration.decode] if gpu and limits.acceleration.decode else []
    return [
        *_DIE_WITH_PARENT, "ffmpeg", "-hide_banner", "-nostdin", "-y", "-loglevel", "level+warning",
        *limits.thread_options(), *hwaccel, *limits.decoder_options(), *before_input,
        *input_options(location), "-i", location, *limits.decoder_options(), *output,
    ]  # fmt: skip


def run_ffmpeg(
    location: str,
    output: Sequence[str],
    limits: MediaLimits,
    timeout_s: float,
    *,
    before_input: Sequence[str] = (),
) -> str:
    """Run ffmpeg on an original to completion; returns its (logged) stderr.

    Decodes on the GPU when there is one, then once more on the CPU if that failed."""
    attempts = [True, False] if limits.acceleration.decode else [False]
    for gpu in attempts:
        command = ffmpeg_command(location, output, limits, before_input=before_input, gpu=gpu)
        try:
            result = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            log_output("ffmpeg", location, (exc.stderr or b"").decode("utf-8", "replace"))
            raise MediaTimeoutError(f"decode exceeded {seconds(timeout_s)} s") from exc
        except FileNotFoundError as exc:
            raise RuntimeError("ffmpeg not found: install the Debian package 'ffmpeg'") from exc
        stderr = result.stderr.decode("utf-8", "replace")
        lines = log_output("ffmpeg", location, stderr)
        if result.returncode == 0:
            return stderr
        if gpu:
            logger.debug("ffmpeg %s: GPU decoding failed, repeating on the CPU", location)
            continue
        raise MediaError(reason(error_lines(stderr) or lines, location))
    raise AssertionError("unreachable")  # pragma: no cover


def stream_ffmpeg(
    location: str,
    output: Sequence[str],
    limits: MediaLimits,
    timeout_s: float,
    chunk_size: int,
    problems: list[str] | None = None,
) -> Iterator[bytes]:
    """ffmpeg writing to stdout, read in chunks of ``chunk_size`` (e.g. one raw frame);
    its error-level messages of a successful run are appended to ``problems``.

    A watchdog kills ffmpeg at the deadline even while a read is blocked (a source that
    never delivers data), and the iteration then raises ``MediaTimeoutError``."""
    gpu = limits.acceleration.decode is not None
    yielded = 0
    while True:
        command = ffmpeg_command(location, output, limits, gpu=gpu)
        with tempfile.TemporaryFile(dir=limits.scratch_dir) as errors:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
            expired = threading.Event()
            watchdog = threading.Timer(timeout_s, _kill, (process, expired))
            watchdog.start()
            try:
                for chunk in _chunks(process.stdout, chunk_size):
                    yielded += 1
                    yield chunk
            finally:
                watchdog.cancel()
                if process.poll() is None:
                    process.kill()
                process.wait()
            errors.seek(0)
            stderr = errors.read().decode("utf-8", "replace")
        lines = log_output("ffmpeg", location, stderr)
        if expired.is_set():
            raise MediaTimeoutError(f"decode exceeded {seconds(timeout_s)} s")
        if process.returncode == 0:
            if problems is not None:
                problems.extend(error_lines(stderr))
            return
        if gpu and not yielded:
            logger.debug("ffmpeg %s: GPU decoding failed, repeating on the CPU", location)
            gpu = False
            continue
        raise MediaError(reason(error_lines(stderr) or lines, location))


def _kill(process: subprocess.Popen[bytes], expired: threading.Event) -> None:
    expired.set()
    process.kill()


def _chunks(stream: IO[bytes] | None, size: int) -> Iterator[bytes]:
    assert stream is not None
    while True:
        chunk = stream.read(size)
        if len(chunk) < size:
            return
        yield chunk
