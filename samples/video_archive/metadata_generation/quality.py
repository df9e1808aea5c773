"""Data-quality checks on probed metadata. Failures are recorded, never fatal."""

from __future__ import annotations

from typing import Any

MIN_DURATION_S = 0.5
MAX_DURATION_S = 24 * 3600
MIN_FPS, MAX_FPS = 1.0, 240.0
MIN_SIDE, MAX_SIDE = 32, 8192


def quality_issues(asset: dict[str, Any]) -> list[str]:
    """Human-readable problems with an asset's technical metadata (empty when plausible)."""
    issues: list[str] = []
    duration = asset.get("duration_s")
    if duration is None:
        issues.append("duration unknown")
    elif duration < MIN_DURATION_S:
        issues.append(f"very short: {duration:.2f} s")
    elif duration > MAX_DURATION_S:
        issues.append(f"implausibly long: {duration / 3600:.1f} h")
    fps = asset.get("fps")
    if fps is None:
        issues.append("frame rate unknown")
    elif not MIN_FPS <= fps <= MAX_FPS:
        issues.append(f"implausible frame rate: {fps:g} fps")
    if asset.get("variable_fps"):
        issues.append("variable frame rate")
    width, height = asset.get("width") or 0, asset.get("height") or 0
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_SIDE:
        issues.append(f"implausible resolution: {width}x{height}")
    return issues
