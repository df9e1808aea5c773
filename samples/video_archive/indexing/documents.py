"""The searchable text of an asset: title, path and file-name tokens, tags, description,
sidecar text and transcript, in that order of weight (title and tags first)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

_SEPARATORS = re.compile(r"[\s_\-.+/\\()\[\]{},;]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NOISE = {"mp4", "mov", "mkv", "avi", "webm", "ts", "m4v", "mts", "img", "vid", "dsc", "mvi"}
MAX_DOCUMENT_CHARS = 4000


def path_tokens(path: str) -> list[str]:
    """Words of a path: 'Trips/2024_Lisbon-tram/IMG_0042.MOV' -> Trips 2024 Lisbon tram 0042."""
    words: list[str] = []
    for part in PurePosixPath(path.split(":", 1)[-1]).parts:
        for word in _SEPARATORS.split(_CAMEL.sub(" ", part)):
            if word and word.lower() not in _NOISE and word not in words:
                words.append(word)
    return words


def document_text(asset: dict[str, Any], locations: Iterable[str]) -> str:
    """One text per asset for embedding and BM25; capped to keep embeddings meaningful."""
    parts: list[str] = []
    if asset.get("title"):
        parts.append(str(asset["title"]))
    tokens: list[str] = []
    for location in locations:
        tokens.extend(t for t in path_tokens(location) if t not in tokens)
    if tokens:
        parts.append(" ".join(tokens))
    if asset.get("tags"):
        parts.append(" ".join(asset["tags"]))
    for column in ("description", "sidecar_text", "transcript"):
        if asset.get(column):
            parts.append(str(asset[column]))
    return ". ".join(parts)[:MAX_DOCUMENT_CHARS]
