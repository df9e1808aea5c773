"""Serve catalogued media by asset id, with HTTP range requests.

Nothing here takes a path from a request: the caller names an asset id and a variant, the
catalog names the file, and the file is opened only if its real location (symlinks
resolved, then re-checked on the open descriptor) lies inside its source's root, or inside
the derivatives directory for posters, sprites and proxies.

Derivatives in S3 (``derivatives_dir = "s3://bucket/prefix"``) are streamed through the app
(``StoredMedia``: one ranged GET per response), not redirected to a presigned URL: the
pages' Content-Security-Policy allows media and images from this origin only, the bucket
is private (on emulated AWS its endpoint is not even reachable from a browser), and every
byte stays behind the same login and the same checks as local files.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core import safe_files
from samples.video_archive.storage import S3Store

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class MediaUnavailableError(LookupError):
    """The asset has no file of that kind that can be served now."""


class MediaRefusedError(PermissionError):
    """The catalogued file resolves to somewhere it must not be served from."""


class RangeNotSatisfiableError(ValueError):
    def __init__(self, size: int) -> None:
        super().__init__(f"range not satisfiable for {size} bytes")
        self.size = size


@dataclass
class OpenMedia:
    fd: int
    size: int
    mtime: float
    content_type: str

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def iter_range(self, first: int, last: int) -> Iterator[bytes]:
        """The bytes first..last; closes the descriptor when done (``playback.stream``)."""
        return iter_bytes(self, first, last)


@dataclass
class StoredMedia:
    """A derivative in object storage: size and type from a HEAD, bytes by ranged GET."""

    store: S3Store
    key: str
    size: int
    mtime: float
    content_type: str

    def close(self) -> None:
        """Nothing is open until the bytes are read."""

    def iter_range(self, first: int, last: int) -> Iterator[bytes]:
        """The bytes first..last, one ranged GET streamed in chunks."""
        return self.store.read_range(self.key, first, last)


def open_stored(store: S3Store, key: str) -> StoredMedia:
    """A derivative's object in the bucket; MediaUnavailableError when it is missing."""
    found = store.head(key)
    if found is None:
        raise MediaUnavailableError("the file is gone from the derivatives bucket")
    return StoredMedia(store, key, found.size, found.mtime, found.content_type)


def open_within(root: Path | str, relative: str) -> OpenMedia:
    """Open ``root/relative`` read-only if it is a regular file that really lies in ``root``
    (core.safe_files: the descriptor is checked again, so a swapped-in symlink is refused)."""
    if not os.path.isdir(os.path.realpath(root)):
        raise MediaUnavailableError("the file's location is not reachable now (offline?)")
    try:
        fd, info = safe_files.open_within(root, relative)
    except FileNotFoundError as exc:
        raise MediaUnavailableError("the file is gone from its source; rescan it") from exc
    except safe_files.OutsideRootError as exc:
        raise MediaRefusedError("the catalogued file resolves outside its source") from exc
    except safe_files.NotRegularFileError as exc:
        raise MediaRefusedError("the catalogued path is not a regular file") from exc
    except OSError as exc:
        raise MediaRefusedError(f"the file cannot be opened: {exc.strerror}") from exc
    content_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
    if relative.lower().endswith((".mkv", ".webm")) and content_type == "application/octet-stream":
        content_type = "video/webm" if relative.lower().endswith(".webm") else "video/x-matroska"
    return OpenMedia(fd, info.st_size, info.st_mtime, content_type)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single ``bytes=`` range, None for a full response.

    Multiple ranges and unknown units are answered with the whole file (allowed by RFC 9110);
    a syntactically valid range that lies beyond the end raises RangeNotSatisfiableError.
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if not match:
        return None
    first_s, last_s = match.groups()
    if not first_s and not last_s:
        return None
    if not first_s:  # suffix: the last N bytes
        length = int(last_s)
        if length == 0 or size == 0:
            raise RangeNotSatisfiableError(size)
        return max(0, size - length), size - 1
    first = int(first_s)
    last = int(last_s) if last_s else size - 1
    if last_s and last < first:
        return None  # invalid: ignore the header
    if first >= size:
        raise RangeNotSatisfiableError(size)
    return first, min(last, size - 1)


def iter_bytes(media: OpenMedia, first: int, last: int) -> Iterator[bytes]:
    """The bytes first..last (inclusive); closes the descriptor when done or abandoned."""
    try:
        position = first
        while position <= last:
            chunk = os.pread(media.fd, min(CHUNK, last - position + 1), position)
            if not chunk:
                break
            position += len(chunk)
            yield chunk
    finally:
        media.close()
