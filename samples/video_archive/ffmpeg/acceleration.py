"""GPU or CPU for ffmpeg, decided at run time on the machine that runs the task.

Three facts are read once per process: the NVIDIA cards (``nvidia-smi``), ffmpeg's
hardware decoders (``ffmpeg -hwaccels``) and its encoders (``ffmpeg -encoders``). Debian's
ffmpeg lists ``cuda`` and ``h264_nvenc`` whether or not a card is there, so a listing is
not proof: when a card is present a two-frame trial confirms each one (a trial NVDEC decode
of a tiny H.264 clip, a trial NVENC encode). Data-centre cards (A100, H100, ...) have NVDEC
but no NVENC: their trial encode fails, so they decode on the GPU and encode with libx264.

``select_acceleration`` is the pure decision (tested with fake outputs); ``detect`` runs
the commands. Silver (``MediaLimits.from_settings``) calls ``detect``; the output contract
(H.264 yuv420p proxy at most 720 lines, AAC, same durations) is the same on either path.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

NVENC_ENCODER = "h264_nvenc"
CPU_ENCODER = "libx264"
DETECT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Acceleration:
    """How ffmpeg decodes and which H.264 encoder makes proxies, and why."""

    decode: str | None  # "cuda" (NVDEC) or None (software decoding)
    encoder: str  # "h264_nvenc" or "libx264"
    reason: str

    @property
    def uses_gpu(self) -> bool:
        """True when decoding or encoding runs on the GPU."""
        return self.decode is not None or self.encoder == NVENC_ENCODER


CPU = Acceleration(None, CPU_ENCODER, "GPU use is off (VIDEO_ARCHIVE_GPU=off)")


def parse_hwaccels(output: str) -> set[str]:
    """Method names from ``ffmpeg -hwaccels`` (the lines after the heading)."""
    lines = [line.strip() for line in output.splitlines()]
    return {line for line in lines if line and not line.endswith(":")}


def parse_encoders(output: str) -> set[str]:
    """Encoder names from ``ffmpeg -encoders`` (`` V....D h264_nvenc  NVIDIA ...`` rows)."""
    names: set[str] = set()
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 6 and parts[0][0] in "VAS" and parts[1] != "=":
            names.add(parts[1])
    return names


def select_acceleration(
    gpus: list[str],
    hwaccels: str,
    encoders: str,
    *,
    nvdec_works: bool = True,
    nvenc_works: bool = True,
) -> Acceleration:
    """The decision from what the commands printed (``gpus``: nvidia-smi's card names)."""
    if not gpus:
        return Acceleration(None, CPU_ENCODER, "no NVIDIA GPU (nvidia-smi lists none)")
    card = gpus[0]
    decode: str | None = None
    if "cuda" not in parse_hwaccels(hwaccels):
        why_decode = "this ffmpeg has no cuda hwaccel"
    elif not nvdec_works:
        why_decode = f"a trial NVDEC decode failed on {card}"
    else:
        decode, why_decode = "cuda", f"NVDEC on {card}"
    if NVENC_ENCODER not in parse_encoders(encoders):
        encoder, why_encode = CPU_ENCODER, "this ffmpeg has no h264_nvenc"
    elif not nvenc_works:
        encoder, why_encode = CPU_ENCODER, f"{card} has no usable NVENC (libx264 instead)"
    else:
        encoder, why_encode = NVENC_ENCODER, f"NVENC on {card}"
    return Acceleration(decode, encoder, f"decode: {why_decode}; encode: {why_encode}")


def _run(args: list[str]) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            args, capture_output=True, text=True, timeout=DETECT_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.debug("%s: %s", args[0], exc)
        return None


def nvidia_gpus() -> list[str]:
    """Card names nvidia-smi reports; empty without the tool, a driver or a card."""
    if shutil.which("nvidia-smi") is None:
        return []
    result = _run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"])
    if result is None or result.returncode != 0:
        return []
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def _ffmpeg_ok(*args: str) -> bool:
    result = _run(["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", *args])
    if result is not None and result.returncode != 0:
        logger.debug("ffmpeg trial %s failed: %s", " ".join(args), result.stderr.strip())
    return result is not None and result.returncode == 0


def trial_nvdec() -> bool:
    """Decode a two-frame H.264 clip with NVDEC (the card, the driver and ffmpeg agree)."""
    with tempfile.TemporaryDirectory(prefix="va-nvdec-") as tmp:
        clip = str(Path(tmp) / "trial.mp4")
        made = _ffmpeg_ok("-f", "lavfi", "-i", "testsrc2=size=256x144:rate=25:duration=0.08",
                          "-c:v", CPU_ENCODER, "-pix_fmt", "yuv420p", clip)  # fmt: skip
        return made and _ffmpeg_ok("-hwaccel", "cuda", "-i", clip, "-f", "null", "-")


def trial_nvenc() -> bool:
    """Encode two frames with NVENC (fails on cards without an encoder)."""
    return _ffmpeg_ok("-f", "lavfi", "-i", "color=size=256x144:rate=25:duration=0.08",
                      "-c:v", NVENC_ENCODER, "-f", "null", "-")  # fmt: skip


@functools.cache
def detect() -> Acceleration:
    """What this machine can do, measured once per process."""
    gpus = nvidia_gpus()
    if not gpus:
        return select_acceleration([], "", "")
    hwaccels = _run(["ffmpeg", "-hide_banner", "-hwaccels"])
    encoders = _run(["ffmpeg", "-hide_banner", "-encoders"])
    hw_text = hwaccels.stdout if hwaccels else ""
    enc_text = encoders.stdout if encoders else ""
    choice = select_acceleration(
        gpus,
        hw_text,
        enc_text,
        nvdec_works="cuda" in parse_hwaccels(hw_text) and trial_nvdec(),
        nvenc_works=NVENC_ENCODER in parse_encoders(enc_text) and trial_nvenc(),
    )
    logger.info("ffmpeg acceleration: %s", choice.reason)
    return choice


def acceleration_for(mode: str) -> Acceleration:
    """``gpu`` setting -> the acceleration to use ("off": always the CPU)."""
    return CPU if mode == "off" else detect()
