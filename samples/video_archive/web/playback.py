"""Media by asset id and variant: find the file through the catalog, then stream it with
single byte ranges (206) and HEAD. See media.py for the confinement rules. Derivatives
come from the archive's ``derivatives_dir``, a directory or an S3 prefix (streamed)."""

from __future__ import annotations

import functools
import threading
import time
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response
from starlette.responses import StreamingResponse

from samples.video_archive.catalog import Catalog
from samples.video_archive.storage import LocalStore, Store, open_store
from samples.video_archive.web import media, queries
from samples.video_archive.web.database import CatalogPool
from samples.video_archive.web.errors import ApiError, not_found

DERIVED_VARIANTS = frozenset({"poster", "sprite", "proxy"})
_STORE_LOCK = threading.Lock()
Served = media.OpenMedia | media.StoredMedia


@functools.cache
def _store(location: str) -> Store:
    return open_store(location)


def derivative_store(location: Path | str) -> Store:
    """The derivatives store, one per location for the process (one boto3 client)."""
    if isinstance(location, Path):
        return LocalStore(location)
    with _STORE_LOCK:
        return _store(location)


def open_variant(
    catalog: CatalogPool, derivatives_root: Path | str, asset_id: int, variant: str
) -> Served:
    """Open the variant's file: 404 when there is none to serve, 403 when it is refused."""
    with catalog.connection() as conn:
        row = Catalog(conn).asset(asset_id)
        if row is None or row["status"] != "probed":
            raise not_found(asset_id)
        locations = queries.playable_files(conn, asset_id)
    if variant == "playable":
        variant = "proxy" if row.get("proxy_path") else "original"
    try:
        if variant in DERIVED_VARIANTS:
            return _open_derivative(
                derivative_store(derivatives_root), asset_id, variant, row.get(f"{variant}_path")
            )
        return _open_original(asset_id, locations)
    except media.MediaRefusedError as exc:
        raise ApiError(403, f"refused: {exc}") from exc
    except media.MediaUnavailableError as exc:
        raise ApiError(404, str(exc)) from exc


def _open_derivative(store: Store, asset_id: int, variant: str, stored: str | None) -> Served:
    if not stored:
        raise media.MediaUnavailableError(f"video {asset_id} has no {variant} yet")
    key = store.locate(stored)
    if key is None:
        raise media.MediaRefusedError(f"the {variant} is not under the derivatives location")
    if isinstance(store, LocalStore):
        return media.open_within(store.root, key)
    return media.open_stored(store, key)


def _open_original(asset_id: int, locations: list[dict]) -> media.OpenMedia:
    """The first present local copy whose size still matches the catalog."""
    last_error: Exception = media.MediaUnavailableError(
        f"video {asset_id} has no file on an online source; check the sources page"
    )
    for location in locations:
        if location["kind"] != "local":
            last_error = media.MediaUnavailableError(
                "the original is in object storage; play the proxy instead"
            )
            continue
        root = location["uri"].removeprefix("file://")
        try:
            opened = media.open_within(root, location["rel_path"])
        except media.MediaUnavailableError as exc:
            last_error = exc
            continue
        if opened.size != location["size_bytes"]:
            opened.close()
            last_error = media.MediaUnavailableError(
                "the file changed since it was catalogued; rescan its source"
            )
            continue
        return opened
    raise last_error


def stream(request: Request, opened: Served) -> Response:
    """The whole file (200), one byte range (206), its headers only (HEAD) or 416."""
    headers = {
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, max-age=300",
        "Last-Modified": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(opened.mtime)),
    }
    try:
        wanted = media.parse_range(request.headers.get("range"), opened.size)
    except media.RangeNotSatisfiableError:
        opened.close()
        return Response(
            status_code=416, headers={**headers, "Content-Range": f"bytes */{opened.size}"}
        )
    if request.method == "HEAD":
        opened.close()
        return Response(
            headers={**headers, "Content-Length": str(opened.size)},
            media_type=opened.content_type,
        )
    if wanted is None:
        first, last, status = 0, opened.size - 1, 200
    else:
        (first, last), status = wanted, 206
        headers["Content-Range"] = f"bytes {first}-{last}/{opened.size}"
    headers["Content-Length"] = str(max(0, last - first + 1))
    return StreamingResponse(
        opened.iter_range(first, last),
        status_code=status,
        headers=headers,
        media_type=opened.content_type,
    )
