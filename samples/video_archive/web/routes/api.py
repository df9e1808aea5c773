"""The JSON API under /api/v1 for programs (API key) and the pages' scripts (session)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from samples.video_archive.catalog import Catalog
from samples.video_archive.search import COUNT_CAP
from samples.video_archive.web import queries
from samples.video_archive.web.assets import (
    asset_detail,
    filters_from,
    near_duplicates,
    search_page,
)
from samples.video_archive.web.deps import (
    ApiEditor,
    ApiUser,
    CatalogDep,
    FacetsDep,
    RankingsDep,
    SemanticDep,
    SettingsDep,
)
from samples.video_archive.web.errors import ApiError, not_found
from samples.video_archive.web.playback import open_variant, stream
from samples.video_archive.web.schemas import (
    API,
    MAX_PAGE_SIZE,
    NO_NUL,
    AssetDetail,
    AssetEdit,
    AssetId,
    Card,
    ErrorBody,
    QuarantineEntry,
    SearchResponse,
    SourceInfo,
)

router = APIRouter(prefix=API)

BINARY = {"schema": {"type": "string", "format": "binary"}}
MEDIA_TYPES: dict[str, Any] = {
    "video/*": BINARY,
    "image/jpeg": BINARY,
    "application/octet-stream": BINARY,
}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No or invalid credentials"},
    422: {"description": "Invalid parameters"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {**ERRORS, 404: {"model": ErrorBody}}
EDIT_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {"model": ErrorBody},
    404: {"model": ErrorBody},
}
Tag = Annotated[str, Field(pattern=NO_NUL)]


@router.get("/search", response_model=SearchResponse, tags=["search"],
            responses={**ERRORS, 503: {"model": ErrorBody}})  # fmt: skip
def api_search(
    _: ApiUser,
    catalog: CatalogDep,
    backend: SemanticDep,
    rankings: RankingsDep,
    q: Annotated[
        str, Query(max_length=500, pattern=NO_NUL, description="Words; empty lists all")
    ] = "",
    mode: Literal["keyword", "semantic", "hybrid"] = "keyword",
    min_duration: Annotated[float | None, Query(ge=0, le=1e7)] = None,
    max_duration: Annotated[float | None, Query(ge=0, le=1e7)] = None,
    min_height: Annotated[int | None, Query(ge=0, le=100_000)] = None,
    max_height: Annotated[int | None, Query(ge=0, le=100_000)] = None,
    codec: Annotated[str | None, Query(max_length=50, pattern=NO_NUL)] = None,
    source: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    tag: Annotated[list[Tag] | None, Query(max_length=20)] = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 24,
) -> SearchResponse:
    filters = filters_from(
        min_duration, max_duration, min_height, max_height, codec, source, tag,
        date_from, date_to,
    )  # fmt: skip
    cards, total = search_page(catalog, backend, rankings, q, mode, filters, page, per_page)
    return SearchResponse(
        query=q,
        mode=mode,
        total=total,
        total_cap=COUNT_CAP,
        page=page,
        per_page=per_page,
        items=cards,
    )


class Facets(BaseModel):
    codecs: list[str]
    sources: list[str]
    tags: list[str]


@router.get("/facets", response_model=Facets, tags=["search"], responses=ERRORS)
def api_facets(_: ApiUser, catalog: CatalogDep, facets: FacetsDep) -> Facets:
    """What searches can be filtered by: the codecs, sources and tags in the catalogue
    (recomputed at most once a minute)."""
    return Facets.model_validate(facets.get(catalog))


class WhoAmI(BaseModel):
    name: str
    role: str
    via: str  # "api_key" or "session"


@router.get("/whoami", response_model=WhoAmI, tags=["auth"], responses=ERRORS)
def api_whoami(request: Request, principal: ApiUser, response: Response) -> WhoAmI:
    """Who the credentials belong to; 401 without valid ones. The ingress asks this
    (nginx auth_request) before it lets a request through to the archive app, and passes
    the name and the role on in X-Archive-User and X-Archive-Role."""
    response.headers["X-Archive-User"] = principal.name
    response.headers["X-Archive-Role"] = principal.role
    response.headers["Cache-Control"] = "no-store"
    return WhoAmI(name=principal.name, role=principal.role, via=request.state.via)


@router.get("/assets/{asset_id}", response_model=AssetDetail, tags=["assets"],
            responses=NOT_FOUND)  # fmt: skip
def api_asset(_: ApiUser, catalog: CatalogDep, asset_id: AssetId) -> AssetDetail:
    return asset_detail(catalog, asset_id)[0]


@router.patch("/assets/{asset_id}", response_model=AssetDetail, tags=["assets"],
              responses=EDIT_ERRORS)  # fmt: skip
def api_edit(
    _: ApiEditor, catalog: CatalogDep, rankings: RankingsDep, asset_id: AssetId, edit: AssetEdit
) -> AssetDetail:
    try:
        with catalog.connection() as conn:
            found = queries.update_descriptive(
                conn, asset_id, tags=edit.tags, description=edit.description, title=edit.title
            )
        rankings.clear()  # the edit is findable by the next search
    except queries.EditError as exc:
        raise ApiError(422, str(exc)) from exc
    if not found:
        raise not_found(asset_id)
    return asset_detail(catalog, asset_id)[0]


@router.get("/assets/{asset_id}/duplicates", response_model=list[Card], tags=["assets"],
            responses=NOT_FOUND)  # fmt: skip
def api_duplicates(_: ApiUser, catalog: CatalogDep, asset_id: AssetId) -> list[Card]:
    _detail, row = asset_detail(catalog, asset_id)
    return near_duplicates(catalog, asset_id, row.get("phash"))


@router.head("/assets/{asset_id}/media/{variant}", include_in_schema=False)
@router.get(
    "/assets/{asset_id}/media/{variant}",
    tags=["media"],
    response_class=Response,
    responses={
        **ERRORS,
        200: {"description": "The whole file", "content": MEDIA_TYPES},
        206: {"description": "The requested byte range", "content": MEDIA_TYPES},
        403: {"model": ErrorBody},
        404: {"model": ErrorBody},
        416: {"description": "Range not satisfiable"},
    },
)
def api_media(
    request: Request,
    _: ApiUser,
    settings: SettingsDep,
    catalog: CatalogDep,
    asset_id: AssetId,
    variant: Literal["playable", "original", "proxy", "poster", "sprite"],
) -> Response:
    """Stream a video or image of the asset; supports single byte ranges (206)."""
    root = settings.archive.derivatives_dir
    return stream(request, open_variant(catalog, root, asset_id, variant))


@router.get("/sources", response_model=list[SourceInfo], tags=["sources"], responses=ERRORS)
def api_sources(_: ApiUser, catalog: CatalogDep) -> list[SourceInfo]:
    with catalog.connection() as conn:
        rows = queries.sources_overview(conn)
    return [SourceInfo.from_row(r) for r in rows]


@router.get("/quarantine", response_model=list[QuarantineEntry], tags=["sources"],
            responses=ERRORS)  # fmt: skip
def api_quarantine(_: ApiUser, catalog: CatalogDep) -> list[QuarantineEntry]:
    with catalog.connection() as conn:
        rows = Catalog(conn).quarantined()
    return [QuarantineEntry.from_row(r) for r in rows]
