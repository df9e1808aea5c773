"""Benchmark of the social pipeline's renderer: clips rendered per minute.

For each synthetic source (ffmpeg test pattern + tone) and each render profile (vertical,
landscape, square) it runs ``render_clip`` (loudness analysis pass, encode, cover image), and
then the very same encode command directly (the floor: no Python, no analysis, no cover),
in the same run. Results go to a JSON file (default bench/results/social.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from samples.social_media_automation.profiles import PROFILES  # noqa: E402
from samples.social_media_automation.render import (  # noqa: E402
    ClipPlan,
    build_command,
    measure_loudnorm,
    render_clip,
)
from samples.video_archive.synthetic import ffmpeg  # noqa: E402


def make_source(path: Path, seconds: float) -> None:
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=30:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-shortest", str(path),
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6.0, help="clip length")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/social.json")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="social-bench-") as tmp:
        work = Path(tmp)
        sources = []
        for i in range(args.sources):
            sources.append(work / f"source{i}.mp4")
            make_source(sources[-1], args.seconds + 1)
        plans = [
            ClipPlan(str(s), 0.5, args.seconds, profile, has_audio=True)
            for s in sources
            for profile in PROFILES.values()
        ]
        started = time.perf_counter()
        for n, plan in enumerate(plans):
            render_clip(plan, work / "pipeline", f"clip{n}")
        pipeline_s = time.perf_counter() - started
        # The floor: the same encode command, measured values computed beforehand (untimed).
        commands = []
        for n, plan in enumerate(plans):
            measured = measure_loudnorm(plan, -16.0, -1.5)
            out = work / "direct" / f"clip{n}.mp4"
            out.parent.mkdir(exist_ok=True)
            commands.append(
                build_command(
                    plan,
                    out,
                    target_lufs=-16.0,
                    true_peak=-1.5,
                    measured=measured,
                    subtitles_file=None,
                )
            )
        started = time.perf_counter()
        for command in commands:
            subprocess.run(command, check=True, capture_output=True)
        direct_s = time.perf_counter() - started
    clips = len(plans)
    result = {
        "benchmark": "social clip rendering",
        "clips": clips,
        "clip_seconds": args.seconds,
        "profiles": {p.name: f"{p.width}x{p.height}" for p in PROFILES.values()},
        "pipeline_s": round(pipeline_s, 2),
        "direct_ffmpeg_s": round(direct_s, 2),
        "pipeline_clips_per_minute": round(clips * 60 / pipeline_s, 2),
        "direct_ffmpeg_clips_per_minute": round(clips * 60 / direct_s, 2),
        "pipeline_vs_floor": round(pipeline_s / direct_s, 2),
        "note": "pipeline = loudness analysis pass + encode + cover; floor = the encode alone",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
