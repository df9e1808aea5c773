"""Scene cuts with PySceneDetect's content detector."""

from __future__ import annotations


def scene_cuts(location: str, threshold: float = 27.0) -> list[float]:
    """Times (s) where a new scene starts, the start of the video excluded."""
    from scenedetect import ContentDetector, detect

    scenes = detect(location, ContentDetector(threshold=threshold), show_progress=False)
    return [round(start.seconds, 3) for start, _end in scenes[1:]]
