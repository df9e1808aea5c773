"""Where originals live: local directories (read-only mounts included) and S3 prefixes.

A source lists its files, reads byte ranges for fingerprints, and names a location that
ffprobe/ffmpeg can open. Originals are only ever opened for reading: local files with
O_NOATIME where the kernel allows it, S3 objects with ranged GETs and presigned URLs.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import urlparse

from samples.video_archive.ingestion.fingerprint import fingerprint, full_hash

VIDEO_GLOBS: tuple[str, ...] = (
    "*.mp4", "*.m4v", "*.mov", "*.mkv", "*.webm", "*.avi", "*.wmv", "*.flv", "*.mpg",
    "*.mpeg", "*.ts", "*.mts", "*.m2ts", "*.3gp", "*.mxf", "*.ogv", "*.dv",
)  # fmt: skip
SIDECAR_SUFFIXES: tuple[str, ...] = (".srt", ".vtt", ".xmp", ".json")
CHUNK = 1024 * 1024


class SourceError(ValueError):
    """A source definition is invalid (bad URI, unknown kind)."""


class SourceOfflineError(RuntimeError):
    """The source's root cannot be reached now (unmounted disk, missing bucket)."""


@dataclass(frozen=True)
class SourceSpec:
    """A registered source as stored in the catalog."""

    name: str
    kind: str
    uri: str
    include_globs: tuple[str, ...] = VIDEO_GLOBS
    exclude_globs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One file seen in a listing."""

    rel_path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Skipped:
    """A listing entry that cannot be indexed (broken or looping symlink, no permission)."""

    rel_path: str
    reason: str


@dataclass
class Listing:
    """Everything one listing pass found: candidate videos, sidecar paths, skips."""

    videos: list[Entry] = field(default_factory=list)
    other_files: dict[str, Entry] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)


class MediaSource(Protocol):
    spec: SourceSpec

    def check_online(self) -> None: ...
    def iter_files(self) -> Iterator[Entry | Skipped]: ...
    def fingerprint(self, entry: Entry) -> str: ...
    def full_hash(self, entry: Entry) -> str: ...
    def media_location(self, rel_path: str) -> str: ...
    def read_bytes(self, rel_path: str, limit: int) -> bytes: ...


def _matches(rel_path: str, globs: tuple[str, ...]) -> bool:
    lowered = rel_path.lower()
    name = PurePosixPath(lowered).name
    return any(
        fnmatch.fnmatchcase(lowered, g.lower()) or fnmatch.fnmatchcase(name, g.lower())
        for g in globs
    )


def list_source(source: MediaSource) -> Listing:
    """Partition a source's files into candidate videos and other files (sidecars)."""
    listing = Listing()
    spec = source.spec
    for item in source.iter_files():
        if isinstance(item, Skipped):
            listing.skipped.append(item)
        elif spec.exclude_globs and _matches(item.rel_path, spec.exclude_globs):
            continue
        elif _matches(item.rel_path, spec.include_globs):
            listing.videos.append(item)
        else:
            listing.other_files[item.rel_path] = item
    return listing


def sidecars_for(rel_path: str, other_files: Collection[str]) -> list[str]:
    """Sidecar files of a video: ``clip.srt`` or ``clip.mp4.srt`` beside ``clip.mp4``."""
    path = PurePosixPath(rel_path)
    stems = {str(path.with_suffix("")), rel_path}
    return sorted(
        f"{stem}{suffix}"
        for stem in stems
        for suffix in SIDECAR_SUFFIXES
        if f"{stem}{suffix}" in other_files
    )


def sidecar_signature(sidecars: list[str], other_files: Mapping[str, Entry]) -> int:
    """Changes whenever a sidecar is added, removed or rewritten: newest mtime + count."""
    if not sidecars:
        return 0
    return max(other_files[p].mtime_ns for p in sidecars) + len(sidecars)


class LocalSource:
    """A directory tree; symlinked directories are not followed (no loops, no escapes)."""

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec
        self.root = Path(spec.uri.removeprefix("file://")).expanduser()

    def check_online(self) -> None:
        if not self.root.exists():
            raise SourceOfflineError(f"root {self.root} does not exist (unmounted?)")
        if not self.root.is_dir():
            raise SourceOfflineError(f"root {self.root} is not a directory")
        if not os.access(self.root, os.R_OK | os.X_OK):
            raise SourceOfflineError(f"root {self.root} is not readable")

    def iter_files(self) -> Iterator[Entry | Skipped]:
        stack = [self.root]
        while stack:
            directory = stack.pop()
            try:
                entries = list(os.scandir(directory))
            except OSError as exc:
                rel = directory.relative_to(self.root).as_posix()
                yield Skipped(rel, f"cannot list directory: {exc.strerror}")
                continue
            for entry in entries:
                rel = Path(entry.path).relative_to(self.root).as_posix()
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                        continue
                    if entry.is_symlink() and entry.is_dir(follow_symlinks=True):
                        yield Skipped(rel, "symlinked directory not followed")
                        continue
                    st = entry.stat(follow_symlinks=True)
                except OSError as exc:
                    yield Skipped(rel, f"cannot stat: {exc.strerror or exc}")
                    continue
                if stat.S_ISREG(st.st_mode):
                    yield Entry(rel, st.st_size, st.st_mtime_ns)

    def _open(self, rel_path: str) -> int:
        path = self.root / rel_path
        flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
        try:
            return os.open(path, flags | getattr(os, "O_NOATIME", 0))
        except PermissionError:
            # O_NOATIME needs ownership of the file; plain read-only is still harmless.
            return os.open(path, flags)

    def fingerprint(self, entry: Entry) -> str:
        fd = self._open(entry.rel_path)
        try:
            return fingerprint(entry.size, lambda offset, length: os.pread(fd, length, offset))
        finally:
            os.close(fd)

    def full_hash(self, entry: Entry) -> str:
        fd = self._open(entry.rel_path)
        try:
            return full_hash(lambda: os.read(fd, CHUNK))
        finally:
            os.close(fd)

    def media_location(self, rel_path: str) -> str:
        return str(self.root / rel_path)

    def read_bytes(self, rel_path: str, limit: int) -> bytes:
        fd = self._open(rel_path)
        try:
            return os.pread(fd, limit, 0)
        finally:
            os.close(fd)


class S3Source:
    """An S3 prefix, read with ranged GETs; ffprobe reads presigned URLs."""

    def __init__(self, spec: SourceSpec, client: object | None = None) -> None:
        self.spec = spec
        parsed = urlparse(spec.uri)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise SourceError(f"S3 source URI must look like s3://bucket/prefix, got {spec.uri}")
        self.bucket = parsed.netloc
        self.prefix = parsed.path.lstrip("/")
        if self.prefix and not self.prefix.endswith("/"):
            self.prefix += "/"
        if client is None:
            import boto3

            client = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL_S3"))
        self.client = client

    def check_online(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)  # type: ignore[attr-defined]
        except (ClientError, BotoCoreError) as exc:
            raise SourceOfflineError(f"bucket {self.bucket} is not reachable: {exc}") from exc

    def iter_files(self) -> Iterator[Entry | Skipped]:
        paginator = self.client.get_paginator("list_objects_v2")  # type: ignore[attr-defined]
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for obj in page.get("Contents", []):
                key: str = obj["Key"]
                if key.endswith("/"):
                    continue
                mtime_ns = int(obj["LastModified"].timestamp() * 1_000_000_000)
                yield Entry(key[len(self.prefix) :], int(obj["Size"]), mtime_ns)

    def _get_range(self, key: str, offset: int, length: int) -> bytes:
        if length == 0:
            return b""
        response = self.client.get_object(  # type: ignore[attr-defined]
            Bucket=self.bucket, Key=key, Range=f"bytes={offset}-{offset + length - 1}"
        )
        return response["Body"].read()

    def fingerprint(self, entry: Entry) -> str:
        key = self.prefix + entry.rel_path
        return fingerprint(entry.size, lambda offset, length: self._get_range(key, offset, length))

    def full_hash(self, entry: Entry) -> str:
        body = self.client.get_object(  # type: ignore[attr-defined]
            Bucket=self.bucket, Key=self.prefix + entry.rel_path
        )["Body"]
        return full_hash(lambda: body.read(CHUNK))

    def media_location(self, rel_path: str) -> str:
        return self.client.generate_presigned_url(  # type: ignore[attr-defined]
            "get_object",
            Params={"Bucket": self.bucket, "Key": self.prefix + rel_path},
            ExpiresIn=3600,
        )

    def read_bytes(self, rel_path: str, limit: int) -> bytes:
        return self._get_range(self.prefix + rel_path, 0, limit)


def open_source(spec: SourceSpec) -> MediaSource:
    """The reader for a registered source."""
    if spec.kind == "local":
        return LocalSource(spec)
    if spec.kind == "s3":
        return S3Source(spec)
    raise SourceError(f"unknown source kind {spec.kind!r} (expected 'local' or 's3')")


def spec_from_uri(
    name: str, uri: str, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
) -> SourceSpec:
    """Build a source definition from a path or ``s3://`` URI given on a command line."""
    if not name.strip():
        raise SourceError("a source needs a non-empty name")
    if uri.startswith("s3://"):
        kind, location = "s3", uri
    else:
        kind, location = "local", str(Path(uri.removeprefix("file://")).expanduser().resolve())
    return SourceSpec(name, kind, location, tuple(include) or VIDEO_GLOBS, tuple(exclude))
