"""Media by asset id and variant: find the file through the catalog, then stream it with
single byte ranges (206) and HEAD. See media.py for the confinement rules."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response
from starlette.responses import StreamingResponse

from samples.video_archive.catalog import Catalog
from samples.video_archive.web import media, queries
from samples.video_archive.web.database import CatalogPool
from samples.video_archive.web.errors import ApiError, not_found

DERIVED_VARIANTS = frozenset({"poster", "sprite", "proxy"})


def open_variant(
    catalog: CatalogPool, derivatives_root: Path, asset_id: int, variant: str
) -> media.OpenMedia:
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
            return _open_derivative(derivatives_root, asset_id, variant, row.get(f"{variant}_path"))
        return _open_original(asset_id, locations)
    except media.MediaRefusedError as exc:
        raise ApiError(403, f"refused: {exc}") from exc
    except media.MediaUnavailableError as exc:
        raise ApiError(404, str(exc)) from exc


def _open_derivative(
    root: Path, asset_id: int, variant: str, stored: str | None
) -> media.OpenMedia:
    if not stored:
        raise media.MediaUnavailableError(f"video {asset_id} has no {variant} yet")
    try:
        relative = str(Path(stored).relative_to(root))
    except ValueError as exc:
        raise media.MediaRefusedError(
            f"the {variant} is not under the derivatives directory"
        ) from exc
    return media.open_within(root, relative)


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


def stream(request: Request, opened: media.OpenMedia) -> Response:
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
        media.iter_bytes(opened, first, last),
        status_code=status,
        headers=headers,
        media_type=opened.content_type,
    )
