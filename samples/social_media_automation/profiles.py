"""Render profiles: output size, how to fit the source, and the longest clip."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    width: int
    height: int
    max_duration_s: float
    fit: str = "crop"  # crop (fill the frame) | pad (letterbox)


PROFILES = {
    "vertical": Profile("vertical", 1080, 1920, 60.0, "crop"),
    "landscape": Profile("landscape", 1280, 720, 140.0, "pad"),
    "square": Profile("square", 1080, 1080, 60.0, "crop"),
}
