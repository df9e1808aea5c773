"""Where derivatives and the embedded index live: a directory or an S3 prefix.

On the workers every silver task writes posters, sprites and proxies, and the gold task
writes the index, where the web service reads them: a shared volume locally (a plain path),
the derivatives bucket on emulated AWS and AWS (``s3://bucket/prefix``). ffmpeg always
writes into a local scratch directory first; ``put`` then stores the finished file in one
step (a rename on disk, one PUT in S3), so a reader never sees half a file and two attempts
writing the same derivative leave one whole copy.

S3 goes through boto3, which takes credentials, region and ``AWS_ENDPOINT_URL`` /
``AWS_ENDPOINT_URL_S3`` (emulated AWS) from the standard environment; LanceDB opens
``s3://`` URIs itself with ``lance_storage_options``.

Callers: the silver layer (``put``), the LanceDB backend (``read_text``/``write_text`` of its
small state file), the web service (``locate``, ``head``, ``read_range`` to stream media).
"""

from __future__ import annotations

import mimetypes
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

S3_SCHEME = "s3://"
READ_CHUNK = 256 * 1024


class StorageLocationError(ValueError):
    """A storage setting is neither a path nor a usable ``s3://bucket/prefix`` URI."""


def storage_location(value: object) -> Path | str:
    """A setting's value as a local ``Path`` (``~`` expanded) or a normalised ``s3://`` URI.

    Called by the settings class for ``derivatives_dir`` and ``lancedb_dir``."""
    if isinstance(value, Path):
        return value.expanduser()
    if not isinstance(value, str):
        raise StorageLocationError(f"expected a path or s3://bucket/prefix, got {value!r}")
    if "://" not in value:
        return Path(value).expanduser()
    parsed = urlparse(value)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise StorageLocationError(
            f"{value!r}: use a directory path or s3://bucket/prefix (no other URL schemes)"
        )
    prefix = parsed.path.strip("/")
    if any(part in {".", ".."} for part in prefix.split("/")):
        raise StorageLocationError(f"{value!r}: the prefix may not contain '.' or '..' parts")
    return f"{S3_SCHEME}{parsed.netloc}/{prefix}" if prefix else f"{S3_SCHEME}{parsed.netloc}"


def is_s3(location: Path | str) -> bool:
    """True for an ``s3://`` location (settings give these as str, paths as Path)."""
    return isinstance(location, str) and location.startswith(S3_SCHEME)


def content_type(name: str) -> str:
    """The MIME type stored with an object and served by the web (by file name)."""
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _clean_key(key: str) -> str:
    """A relative key with no empty, '.' or '..' parts (nothing escapes the root)."""
    parts = PurePosixPath(key).parts
    if not parts or key.startswith("/") or any(p in {"", ".", ".."} for p in parts):
        raise StorageLocationError(f"not a clean relative key: {key!r}")
    return "/".join(parts)


@dataclass(frozen=True)
class StoredObject:
    """What the web service needs to answer for a stored file before reading it."""

    size: int
    mtime: float
    content_type: str


class LocalStore:
    """A directory (a shared volume on the workers)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = str(root)

    def put(self, local: Path, key: str) -> str:
        """Copy ``local`` to ``root/key`` atomically; return the stored location (a path)."""
        target = self.root / _clean_key(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # A unique temporary name: two attempts storing the same key never share one.
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        try:
            shutil.copyfile(local, tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return str(target)

    def read_text(self, key: str) -> str | None:
        """A small text file under the root (the index's state); None when missing."""
        try:
            return (self.root / _clean_key(key)).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def write_text(self, key: str, text: str) -> None:
        """Replace a small text file under the root atomically."""
        self.write_bytes(key, text.encode("utf-8"))

    def read_bytes(self, key: str) -> bytes | None:
        """A file under the root (the index's graph); None when missing."""
        try:
            return (self.root / _clean_key(key)).read_bytes()
        except FileNotFoundError:
            return None

    def write_bytes(self, key: str, data: bytes) -> None:
        """Replace a file under the root atomically: readers see the old or the new one."""
        target = self.root / _clean_key(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def locate(self, stored: str) -> str | None:
        """The key of a stored location under this root, None when it lies elsewhere."""
        try:
            return _clean_key(Path(stored).relative_to(self.root).as_posix())
        except (ValueError, StorageLocationError):
            return None


class S3Store:
    """A prefix in a bucket, through boto3."""

    def __init__(self, uri: str, client: Any | None = None) -> None:
        parsed = urlparse(uri)
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")
        self.location = uri
        if client is None:
            import boto3

            client = boto3.client("s3")
        self.client = client

    def _key(self, key: str) -> str:
        key = _clean_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, local: Path, key: str) -> str:
        """Upload ``local`` (one PUT: readers see the old object or the whole new one)."""
        full = self._key(key)
        self.client.upload_file(
            str(local), self.bucket, full, ExtraArgs={"ContentType": content_type(full)}
        )
        return f"{S3_SCHEME}{self.bucket}/{full}"

    def read_text(self, key: str) -> str | None:
        """A small text object under the prefix; None when missing."""
        data = self.read_bytes(key)
        return None if data is None else data.decode("utf-8")

    def write_text(self, key: str, text: str) -> None:
        """Replace a small text object under the prefix (one PUT)."""
        self.write_bytes(key, text.encode("utf-8"))

    def read_bytes(self, key: str) -> bytes | None:
        """An object under the prefix (the index's graph); None when missing."""
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None
            raise
        return body.read()

    def write_bytes(self, key: str, data: bytes) -> None:
        """Replace an object under the prefix (one PUT: readers see the old or the new one)."""
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def locate(self, stored: str) -> str | None:
        """The key of ``s3://bucket/prefix/key`` under this store, None when elsewhere."""
        parsed = urlparse(stored)
        if parsed.scheme != "s3" or parsed.netloc != self.bucket:
            return None
        full = parsed.path.lstrip("/")
        if self.prefix:
            if not full.startswith(self.prefix + "/"):
                return None
            full = full[len(self.prefix) + 1 :]
        try:
            return _clean_key(full)
        except StorageLocationError:
            return None

    def head(self, key: str) -> StoredObject | None:
        """Size, modification time and type of a stored object; None when it is missing."""
        from botocore.exceptions import ClientError

        try:
            meta = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                return None
            raise
        modified: datetime = meta["LastModified"]
        return StoredObject(
            int(meta["ContentLength"]),
            modified.timestamp(),
            meta.get("ContentType") or content_type(key),
        )

    def read_range(self, key: str, first: int, last: int) -> Iterator[bytes]:
        """Bytes first..last (inclusive) of an object, streamed in chunks (a ranged GET)."""
        body = self.client.get_object(
            Bucket=self.bucket, Key=self._key(key), Range=f"bytes={first}-{last}"
        )["Body"]
        try:
            while chunk := body.read(READ_CHUNK):
                yield chunk
        finally:
            body.close()


Store = LocalStore | S3Store


def open_store(location: Path | str) -> Store:
    """The store for a ``derivatives_dir`` or ``lancedb_dir`` setting."""
    if is_s3(location):
        return S3Store(str(location))
    return LocalStore(Path(location))


def lance_storage_options(environ: dict[str, str] | None = None) -> dict[str, str]:
    """LanceDB's ``storage_options`` for ``s3://`` URIs from the standard AWS environment:
    the endpoint (``AWS_ENDPOINT_URL_S3`` over ``AWS_ENDPOINT_URL``, with ``allow_http`` when
    it is plain http, as emulated AWS is), the region and static credentials when set.
    Without static credentials LanceDB uses the instance's role, as boto3 would."""
    env = os.environ if environ is None else environ
    options: dict[str, str] = {}
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    if endpoint:
        options["aws_endpoint"] = endpoint
        if endpoint.startswith("http://"):
            options["allow_http"] = "true"
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if region:
        options["aws_region"] = region
    for variable, option in (
        ("AWS_ACCESS_KEY_ID", "aws_access_key_id"),
        ("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key"),
        ("AWS_SESSION_TOKEN", "aws_session_token"),
    ):
        if env.get(variable):
            options[option] = env[variable]
    return options
