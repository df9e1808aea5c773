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


class OutsideSourceError(OSError):
    """A catalogued path now resolves outside its source, or to something not a file."""


_KINDS = {stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device",
          stat.S_IFBLK: "a device"}  # fmt: skip


def _inside(root_real: str, path: str) -> bool:
    return path == root_real or path.startswith(root_real.rstrip(os.sep) + os.sep)


class LocalSource:
    """A directory tree: its files are what lies under the root.

    Symlinked directories are not followed (no loops, no escapes); a symlinked file is
    followed only when its target lies inside the root too, otherwise it is skipped with
    the reason. Named pipes, sockets and devices are skipped (opening a pipe would wait
    forever). Every open re-checks that what was opened is a regular file inside the root.
    """

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec
        self.root = Path(spec.uri.removeprefix("file://")).expanduser()

    @property
    def root_real(self) -> str:
        """The root with symlinks resolved: what every path is checked against."""
        return os.path.realpath(self.root)

    def check_online(self) -> None:
        if not self.root.exists():
            raise SourceOfflineError(f"root {self.root} does not exist (unmounted?)")
        if not self.root.is_dir():
            raise SourceOfflineError(f"root {self.root} is not a directory")
        if not os.access(self.root, os.R_OK | os.X_OK):
            raise SourceOfflineError(f"root {self.root} is not readable")

    def iter_files(self) -> Iterator[Entry | Skipped]:
        root_real = self.root_real
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
                item = self._classify(entry, rel, root_real)
                if isinstance(item, Path):
                    stack.append(item)
                elif item is not None:
                    yield item

    def _classify(
        self, entry: os.DirEntry[str], rel: str, root_real: str
    ) -> Entry | Skipped | Path | None:
        """One directory entry: a directory to descend into, a file, a skip, or None."""
        try:
            if entry.is_dir(follow_symlinks=False):
                return Path(entry.path)
            if entry.is_symlink():
                if entry.is_dir(follow_symlinks=True):
                    return Skipped(rel, "symlinked directory not followed")
                st = entry.stat(follow_symlinks=True)  # raises for a broken or looping link
                if not _inside(root_real, os.path.realpath(entry.path)):
                    return Skipped(rel, "symlink to a file outside the source, not followed")
            else:
                st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            return Skipped(rel, f"cannot stat: {exc.strerror or exc}")
        if stat.S_ISREG(st.st_mode):
            return Entry(rel, st.st_size, st.st_mtime_ns)
        kind = _KINDS.get(stat.S_IFMT(st.st_mode))
        return Skipped(rel, f"not a regular file ({kind})") if kind else None

    def resolve(self, rel_path: str) -> str:
        """The real path of a catalogued file, refused unless a regular file in the root."""
        root_real = self.root_real
        real = os.path.realpath(os.path.join(root_real, rel_path))
        if not _inside(root_real, real):
            raise OutsideSourceError(f"{rel_path} resolves outside its source; not read")
        st = os.stat(real)
        if not stat.S_ISREG(st.st_mode):
            kind = _KINDS.get(stat.S_IFMT(st.st_mode), "not a file")
            raise OutsideSourceError(f"{rel_path} is not a regular file ({kind}); not read")
        return real

    def _open(self, rel_path: str) -> int:
        path = self.resolve(rel_path)
        # O_NONBLOCK: a file swapped for a named pipe after the check must not block us.
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(path, flags | getattr(os, "O_NOATIME", 0))
        except PermissionError:
            # O_NOATIME needs ownership of the file; plain read-only is still harmless.
            fd = os.open(path, flags)
        try:
            actual = os.readlink(f"/proc/self/fd/{fd}")
            if not _inside(self.root_real, actual) or not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OutsideSourceError(f"{rel_path} changed while being opened; not read")
        except BaseException:
            os.close(fd)
            raise
        return fd

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
        """The path ffprobe/ffmpeg open: the checked real path (never outside the root)."""
        return self.resolve(rel_path)

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
