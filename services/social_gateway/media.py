"""The media file of a post: checked by name when the post is requested, opened once when it
is delivered.

The request's path must resolve under the gateway's ``media_root`` (an early 422). The
worker later opens it with core.safe_files (``O_NOFOLLOW``, then the descriptor's real
location and type are checked) and reads the bytes from that descriptor only: the clips
directory is writable by others, and a symlink swapped in after the request is refused
instead of followed.
"""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path

from core import safe_files
from services.social_gateway.delivery import PermanentFailure
from services.social_gateway.errors import BadMediaPath


@dataclass(frozen=True)
class MediaFile:
    """The bytes of a post's media, read from the one descriptor that was checked."""

    name: str
    data: bytes
    content_type: str


def check_media_path(media_root: Path | None, path: str) -> str:
    """The resolved path when it lies under ``media_root``; BadMediaPath otherwise."""
    if "\x00" in path:
        raise BadMediaPath("media_path must not contain NUL characters")
    root = media_root.resolve() if media_root else None
    resolved = Path(path).resolve()
    if root is None or not resolved.is_relative_to(root):
        raise BadMediaPath(f"media_path must lie under the gateway's media_root ({root})")
    return str(resolved)


def read_media(media_root: Path | None, path: str) -> MediaFile:
    """The file's bytes, opened once under ``media_root``; PermanentFailure when it is gone
    or may not be read (a changed file will not change back by retrying)."""
    if media_root is None:
        raise PermanentFailure("the gateway has no media_root: it reads no media files")
    try:
        fd, _info = safe_files.open_within(media_root, path)
    except FileNotFoundError as exc:
        raise PermanentFailure(f"media file {path} is gone") from exc
    except OSError as exc:  # outside the root, not a regular file, a symlink at the open
        raise PermanentFailure(f"media file {path} refused: {exc}") from exc
    with os.fdopen(fd, "rb") as opened:
        data = opened.read()
    name = Path(path).name
    return MediaFile(name, data, mimetypes.guess_type(name)[0] or "application/octet-stream")
