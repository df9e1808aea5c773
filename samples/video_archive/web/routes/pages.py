"""The pages people use: search, a video (watch, edit), the sources and the quarantine."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from samples.video_archive.catalog import Catalog
from samples.video_archive.search import COUNT_CAP, MODES
from samples.video_archive.web import auth, queries
from samples.video_archive.web.assets import (
    asset_detail,
    filters_from,
    near_duplicates,
    search_page,
)
from samples.video_archive.web.deps import (
    CatalogDep,
    FacetsDep,
    PageUser,
    RankingsDep,
    SemanticDep,
    SettingsDep,
    TemplatesDep,
    check_form_csrf,
    csrf_token,
)
from samples.video_archive.web.errors import ApiError, not_found
from samples.video_archive.web.schemas import AssetId

router = APIRouter(include_in_schema=False)
MAX_PAGE = 10_000


class LenientForm:
    """Reads the search form's fields, which may be empty or wrong, and remembers which
    ones it ignored (a form sends every field, filled in or not)."""

    def __init__(self) -> None:
        self.ignored: list[str] = []

    def number(self, name: str, raw: str, kind: type) -> Any:
        if not raw.strip():
            return None
        try:
            value = kind(raw)
            if value < 0 or (kind is float and not math.isfinite(value)):
                raise ValueError(raw)
            return value
        except ValueError:
            self.ignored.append(name)
            return None

    def day(self, name: str, raw: str) -> date | None:
        try:
            return date.fromisoformat(raw) if raw.strip() else None
        except ValueError:
            self.ignored.append(name)
            return None


@router.get("/", response_class=HTMLResponse)
def search_ui(
    request: Request,
    user: PageUser,
    settings: SettingsDep,
    catalog: CatalogDep,
    backend: SemanticDep,
    rankings: RankingsDep,
    facets: FacetsDep,
    templates: TemplatesDep,
    q: Annotated[str, Query(max_length=500)] = "",
    mode: str = "keyword",
    min_duration: str = "",
    max_duration: str = "",
    min_height: str = "",
    max_height: str = "",
    codec: str = "",
    source: str = "",
    tag: Annotated[str, Query(max_length=200)] = "",
    date_from: str = "",
    date_to: str = "",
    page: str = "1",
) -> Response:
    form = LenientForm()
    mode = mode if mode in MODES else "keyword"
    tags = [t for t in (s.strip() for s in tag.split(",")) if t]
    filters = filters_from(
        form.number("min. duration", min_duration, float),
        form.number("max. duration", max_duration, float),
        form.number("min. height", min_height, int),
        form.number("max. height", max_height, int),
        codec, source, tags,
        form.day("recorded from", date_from), form.day("recorded to", date_to),
    )  # fmt: skip
    page_number = min(max(form.number("page", page, int) or 1, 1), MAX_PAGE)
    per_page = settings.page_size
    error = None
    try:
        cards, total = search_page(
            catalog, backend, rankings, q, mode, filters, page_number, per_page
        )
    except ApiError as exc:
        if exc.status != 503:
            raise
        cards, total, error = [], 0, exc.message
    if form.ignored:
        error = f"Ignored filters that are not valid numbers or dates: {', '.join(form.ignored)}."
    facet_values = facets.get(catalog)
    params = {k: v for k, v in request.query_params.items() if k != "page" and v not in ("", None)}
    return templates.TemplateResponse(
        request,
        "search.html",
        {
            "user": user,
            "csrf": csrf_token(request),
            "q": q,
            "mode": mode,
            "modes": MODES,
            "filters": filters,
            "tag": tag,
            "facets": facet_values,
            "cards": cards,
            "total": total,
            "total_label": (f"more than {COUNT_CAP:,}" if total > COUNT_CAP else f"{total:,}"),
            "page": page_number,
            "pages": max(1, math.ceil(total / per_page)),
            "base_query": urlencode(params),
            "error": error,
        },
    )


@router.get("/videos/{asset_id}", response_class=HTMLResponse)
def video_ui(
    request: Request,
    user: PageUser,
    catalog: CatalogDep,
    templates: TemplatesDep,
    asset_id: AssetId,
    saved: int = 0,
) -> Response:
    detail, row = asset_detail(catalog, asset_id)
    dupes = near_duplicates(catalog, asset_id, row.get("phash"))
    return templates.TemplateResponse(
        request,
        "video.html",
        {
            "user": user,
            "csrf": csrf_token(request),
            "v": detail,
            "dupes": dupes,
            "saved": bool(saved),
            "error": None,
        },
    )


@router.post("/videos/{asset_id}/edit", response_class=HTMLResponse)
def video_edit(
    request: Request,
    user: PageUser,
    catalog: CatalogDep,
    rankings: RankingsDep,
    templates: TemplatesDep,
    asset_id: AssetId,
    tags: Annotated[str, Form(max_length=5000)] = "",
    description: Annotated[str, Form(max_length=10_000)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    csrf_token_field: Annotated[str, Form(alias=auth.CSRF_FIELD)] = "",
) -> Response:
    check_form_csrf(request, csrf_token_field)
    if not user.can_edit:
        raise ApiError(403, f"{user.name!r} may view but not edit videos")
    try:
        with catalog.connection() as conn:
            found = queries.update_descriptive(
                conn, asset_id, tags=tags.split(","), description=description, title=title
            )
        rankings.clear()  # the edit is findable by the next search
    except queries.EditError as exc:
        detail, _row = asset_detail(catalog, asset_id)
        return templates.TemplateResponse(
            request,
            "video.html",
            {
                "user": user,
                "csrf": csrf_token(request),
                "v": detail,
                "dupes": [],
                "saved": False,
                "error": str(exc),
            },
            status_code=422,
        )
    if not found:
        raise not_found(asset_id)
    return RedirectResponse(f"/videos/{asset_id}?saved=1", status_code=303)


@router.get("/sources", response_class=HTMLResponse)
def sources_ui(
    request: Request, user: PageUser, catalog: CatalogDep, templates: TemplatesDep
) -> Response:
    with catalog.connection() as conn:
        sources = queries.sources_overview(conn)
        quarantine = Catalog(conn).quarantined()
        summary = Catalog(conn).status_summary()
    return templates.TemplateResponse(
        request,
        "sources.html",
        {
            "user": user,
            "csrf": csrf_token(request),
            "sources": sources,
            "quarantine": quarantine,
            "summary": summary,
        },
    )
