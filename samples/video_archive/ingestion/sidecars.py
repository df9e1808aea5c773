"""Descriptive text from sidecar files: subtitles (.srt/.vtt), XMP and JSON metadata."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

MAX_SIDECAR_BYTES = 2 * 1024 * 1024
_CUE_TIMING = re.compile(r"^\s*(\d+:)?\d+:\d+[.,]\d+\s*-->")
# "00:01:02,500 --> 00:01:04.000" (SRT uses a comma, WebVTT a dot and may drop the hours);
# WebVTT cue settings may follow the end time.
_CUE_RANGE = re.compile(
    r"^\s*(?:(\d+):)?(\d+):(\d+)[.,](\d+)\s*-->\s*(?:(\d+):)?(\d+):(\d+)[.,](\d+)"
)
_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}


@dataclass(frozen=True)
class SubtitleCue:
    """One subtitle cue: its text and when it is shown, in seconds from the video's start."""

    start_s: float
    end_s: float
    text: str


@dataclass
class SidecarText:
    """What the sidecars of one video say about it."""

    title: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    cues: list[SubtitleCue] = field(default_factory=list)

    def merge(self, other: SidecarText) -> None:
        self.title = self.title or other.title
        self.description = self.description or other.description
        self.tags.extend(t for t in other.tags if t not in self.tags)
        self.text.extend(other.text)
        self.cues.extend(other.cues)


def _seconds(hours: str | None, minutes: str, seconds: str, fraction: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + float(f"0.{fraction}")


def subtitle_cues(raw: str) -> list[SubtitleCue]:
    """The cues of an SRT or WebVTT file with their timings; text outside a cue (cue
    numbers, headers, NOTE and STYLE blocks) and markup tags are dropped. A cue whose end
    comes before its start is kept with the two swapped rather than lost."""
    cues: list[SubtitleCue] = []
    timing: tuple[float, float] | None = None
    lines: list[str] = []

    def close() -> None:
        if timing is not None and lines:
            start, end = sorted(timing)
            cues.append(SubtitleCue(start, end, " ".join(lines)))

    for line in raw.splitlines():
        stripped = line.strip()
        match = _CUE_RANGE.match(stripped)
        if match:
            close()
            parts = match.groups()
            timing = (_seconds(*parts[:4]), _seconds(*parts[4:]))
            lines = []
        elif not stripped:
            close()
            timing, lines = None, []
        elif timing is not None:
            lines.append(re.sub(r"<[^>]+>", "", stripped))
    close()
    return cues


def subtitle_text(raw: str) -> str:
    """The spoken/caption text of an SRT or WebVTT file, cue numbers and timings removed."""
    lines = []
    for line in raw.splitlines():
        stripped = line.strip()
        if (
            not stripped
            or stripped.isdigit()
            or stripped.startswith(("WEBVTT", "NOTE", "STYLE"))
            or _CUE_TIMING.match(stripped)
        ):
            continue
        lines.append(re.sub(r"<[^>]+>", "", stripped))
    return " ".join(lines)


def _xmp_values(root: Element, tag: str) -> list[str]:
    values: list[str] = []
    for element in root.iter(f"{{{_NS['dc']}}}{tag}"):
        items = element.findall(".//rdf:li", _NS) or [element]
        values.extend((item.text or "").strip() for item in items)
    return [v for v in values if v]


def xmp_text(raw: str) -> SidecarText:
    """Title, description and keywords (dc:title, dc:description, dc:subject) of XMP."""
    root = ElementTree.fromstring(raw.encode("utf-8"))
    titles = _xmp_values(root, "title")
    descriptions = _xmp_values(root, "description")
    return SidecarText(
        title=titles[0] if titles else None,
        description=descriptions[0] if descriptions else None,
        tags=_xmp_values(root, "subject"),
    )


def json_text(raw: str) -> SidecarText:
    """Title, description and tags/keywords of a JSON metadata sidecar."""
    data = json.loads(raw)
    if not isinstance(data, dict):
        return SidecarText()
    tags = data.get("tags") or data.get("keywords") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",")]
    return SidecarText(
        title=str(data["title"]) if data.get("title") else None,
        description=str(data["description"]) if data.get("description") else None,
        tags=[str(t) for t in tags if str(t).strip()],
    )


def parse_sidecar(rel_path: str, raw_bytes: bytes) -> SidecarText:
    """Interpret one sidecar by its extension; raises ValueError on malformed content."""
    raw = raw_bytes.decode("utf-8-sig", "replace")
    suffix = rel_path.lower().rsplit(".", 1)[-1]
    if suffix in {"srt", "vtt"}:
        return SidecarText(text=[subtitle_text(raw)], cues=subtitle_cues(raw))
    try:
        if suffix == "xmp":
            return xmp_text(raw)
        if suffix == "json":
            return json_text(raw)
    except (ElementTree.ParseError, json.JSONDecodeError) as exc:
        raise ValueError(f"malformed {suffix} sidecar: {exc}") from exc
    return SidecarText()
