"""Render one platform clip with ffmpeg: scene-aware cut, fit to the profile (crop or pad),
EBU R128 loudness normalisation (two passes: measure, then a linear gain), captions burnt
from a sidecar subtitle file, an optional logo, and a cover image.

Clips are written beside nothing but themselves: ``<derivatives>/social/<asset>/``, through
a temporary name and a rename, so a killed render leaves no half file under the final name.
Originals are only read.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from samples.social_media_automation.profiles import Profile


class RenderError(RuntimeError):
    """The clip could not be made; the message is meant for the calendar's Result column."""


@dataclass(frozen=True)
class ClipPlan:
    source: str  # a path or URL ffmpeg can read
    start_s: float
    duration_s: float
    profile: Profile
    has_audio: bool
    subtitles_srt: str | None = None  # SRT text, timed against the source
    logo: Path | None = None


@dataclass(frozen=True)
class RenderedClip:
    path: Path
    cover: Path
    duration_s: float
    command: tuple[str, ...]


def plan_start(duration_s: float, scene_cuts: list[float], want_s: float, min_s: float) -> float:
    """Scene-aware start: the first scene cut after which enough video remains (the wanted
    length, or half the video when it is shorter, and never less than ``min_s``); else 0."""
    need = max(min_s, min(want_s, duration_s / 2))
    for cut in sorted(c for c in scene_cuts if 0 < c < duration_s):
        if duration_s - cut >= need:
            return round(cut, 3)
    return 0.0


_SRT_TIME = re.compile(r"(\d+):(\d\d):(\d\d)[,.](\d{3})")


def _seconds(match: re.Match[str]) -> float:
    h, m, s, ms = (int(g) for g in match.groups())
    return h * 3600 + m * 60 + s + ms / 1000


def _stamp(seconds: float) -> str:
    ms = round(max(seconds, 0.0) * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def shift_srt(srt: str, start_s: float, duration_s: float) -> str:
    """Cues of an SRT moved to a clip starting at ``start_s`` (cues outside are dropped)."""
    cues: list[str] = []
    for block in re.split(r"\r?\n\s*\r?\n", srt.strip()):
        lines = block.strip().splitlines()
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue
        times = list(_SRT_TIME.finditer(lines[timing]))
        if len(times) != 2:
            continue
        begin, end = _seconds(times[0]) - start_s, _seconds(times[1]) - start_s
        if end <= 0 or begin >= duration_s:
            continue
        text = "\n".join(lines[timing + 1 :]).strip()
        if text:
            cues.append(
                f"{len(cues) + 1}\n{_stamp(begin)} --> {_stamp(min(end, duration_s))}\n{text}"
            )
    return "\n\n".join(cues) + "\n" if cues else ""


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or "").strip().splitlines()[-3:]
        raise RenderError(f"ffmpeg failed: {' / '.join(tail) or result.returncode}")
    return result


def measure_loudnorm(plan: ClipPlan, target_lufs: float, true_peak: float) -> dict[str, str]:
    """First loudnorm pass over the clip's audio: the measured values for the second pass."""
    result = _run(
        [
            "ffmpeg", "-hide_banner", "-nostdin", "-ss", f"{plan.start_s:.3f}",
            "-t", f"{plan.duration_s:.3f}", "-i", plan.source, "-vn",
            "-af", f"loudnorm=I={target_lufs}:TP={true_peak}:LRA=11:print_format=json",
            "-f", "null", "-",
        ]
    )  # fmt: skip
    found = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", result.stderr)
    if not found:
        raise RenderError("loudness analysis gave no result (is there an audio track?)")
    return dict(json.loads(found.group(0)))


def build_command(
    plan: ClipPlan,
    output: Path,
    *,
    target_lufs: float,
    true_peak: float,
    measured: dict[str, str] | None,
    subtitles_file: str | None,
) -> list[str]:
    """The ffmpeg command line for a plan (also what the benchmark runs directly)."""
    p = plan.profile
    if p.fit == "crop":
        fit = (
            f"scale={p.width}:{p.height}:force_original_aspect_ratio=increase,"
            f"crop={p.width}:{p.height}"
        )
    else:
        fit = (
            f"scale={p.width}:{p.height}:force_original_aspect_ratio=decrease,"
            f"pad={p.width}:{p.height}:(ow-iw)/2:(oh-ih)/2"
        )
    video = f"[0:v]{fit},setsar=1,format=yuv420p"
    if subtitles_file:
        # libass sizes are relative to a 288-line script: the same style fits every profile.
        video += f",subtitles={subtitles_file}:force_style='FontSize=12,MarginV=24'"
    inputs = ["-ss", f"{plan.start_s:.3f}", "-t", f"{plan.duration_s:.3f}", "-i", plan.source]
    graph = [video + "[base]"]
    next_input = 1
    if plan.logo:
        inputs += ["-i", str(plan.logo)]
        graph.append(f"[{next_input}:v]scale={p.width // 6}:-1[logo]")
        graph.append("[base][logo]overlay=W-w-24:24[v]")
        next_input += 1
    else:
        graph[-1] = video + "[v]"
    if plan.has_audio and measured:
        norm = (
            f"loudnorm=I={target_lufs}:TP={true_peak}:LRA=11:measured_I={measured['input_i']}:"
            f"measured_TP={measured['input_tp']}:measured_LRA={measured['input_lra']}:"
            f"measured_thresh={measured['input_thresh']}:offset={measured['target_offset']}:"
            "linear=true"
        )
        graph.append(f"[0:a]{norm},aresample=48000,aformat=channel_layouts=stereo[a]")
    else:
        inputs += ["-f", "lavfi", "-t", f"{plan.duration_s:.3f}", "-i",
                   "anullsrc=r=48000:cl=stereo"]  # fmt: skip
        graph.append(f"[{next_input}:a]anull[a]")
    return [
        "ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", *inputs,
        "-filter_complex", ";".join(graph), "-map", "[v]", "-map", "[a]",
        "-t", f"{plan.duration_s:.3f}",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-r", "30",
        "-c:a", "aac", "-b:a", "128k", "-ar", "48000",
        "-movflags", "+faststart", str(output),
    ]  # fmt: skip


def render_clip(
    plan: ClipPlan, out_dir: Path, name: str, *, target_lufs: float = -16.0, true_peak: float = -1.5
) -> RenderedClip:
    """Render ``<out_dir>/<name>.mp4`` and ``<name>.jpg`` (the cover)."""
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    # ffmpeg runs in out_dir (so the subtitles file needs no filter escaping): absolute inputs.
    if "://" not in plan.source:
        plan = replace(plan, source=str(Path(plan.source).resolve()))
    if plan.logo:
        plan = replace(plan, logo=plan.logo.resolve())
    final, cover = out_dir / f"{name}.mp4", out_dir / f"{name}.jpg"
    partial = out_dir / f".{name}.partial.mp4"
    measured = measure_loudnorm(plan, target_lufs, true_peak) if plan.has_audio else None
    subtitles_file = None
    if plan.subtitles_srt:
        shifted = shift_srt(plan.subtitles_srt, plan.start_s, plan.duration_s)
        if shifted:
            subtitles_file = f"{name}.captions.srt"
            (out_dir / subtitles_file).write_text(shifted, encoding="utf-8")
    command = build_command(
        plan, partial, target_lufs=target_lufs, true_peak=true_peak, measured=measured,
        subtitles_file=subtitles_file,
    )  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=out_dir)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        tail = (result.stderr or "").strip().splitlines()[-3:]
        raise RenderError(f"ffmpeg could not render the clip: {' / '.join(tail)}")
    os.replace(partial, final)
    _run(
        ["ffmpeg", "-v", "error", "-y", "-nostdin", "-ss", f"{plan.duration_s / 2:.3f}",
         "-i", str(final), "-frames:v", "1", "-q:v", "3", str(cover)]
    )  # fmt: skip
    return RenderedClip(final, cover, plan.duration_s, tuple(command))


def probe(path: Path) -> dict[str, float]:
    """Width, height and duration of a rendered file (ffprobe)."""
    result = _run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=width,height:format=duration", "-of", "json", str(path)]
    )  # fmt: skip
    data = json.loads(result.stdout)
    stream = data["streams"][0]
    return {
        "width": float(stream["width"]),
        "height": float(stream["height"]),
        "duration": float(data["format"]["duration"]),
    }


def integrated_loudness(path: Path) -> float:
    """Integrated loudness (LUFS) of a file by ffmpeg's ebur128 scanner."""
    result = _run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-i", str(path), "-vn", "-af", "ebur128",
         "-f", "null", "-"]
    )  # fmt: skip
    values = re.findall(r"I:\s+(-?[\d.]+|-inf) LUFS", result.stderr)
    if not values:
        raise RenderError(f"no loudness summary for {path}")
    return float(values[-1])
