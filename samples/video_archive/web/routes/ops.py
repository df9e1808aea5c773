"""For operators and their tools: an open health check, Prometheus metrics, and the API's
description (OpenAPI) with its page, which need a principal like the API itself."""

from __future__ import annotations

import psycopg
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from samples.video_archive.catalog import Catalog
from samples.video_archive.web.deps import ApiUser, CatalogDep, MetricsDep, TemplatesDep
from samples.video_archive.web.errors import ApiError
from samples.video_archive.web.schemas import API, ErrorBody, Health

router = APIRouter(tags=["ops"])

# Swagger UI's files: the reader's browser loads them from this CDN (no package of them is in
# the registries the hosts reach). The page's own policy admits that origin and nothing else.
SWAGGER_UI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; connect-src 'self'; "
    f"script-src 'self' {SWAGGER_UI}/; style-src 'self' {SWAGGER_UI}/; frame-ancestors 'none'"
)


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(catalog: CatalogDep) -> Response:
    try:
        with catalog.connection() as conn:
            conn.execute("SELECT 1")
        return JSONResponse({"status": "ok", "catalog": "ok"})
    except (ApiError, psycopg.Error):
        return JSONResponse({"status": "degraded", "catalog": "unreachable"}, 503)


@router.get("/metrics", response_class=Response, responses={401: {"model": ErrorBody}})
def metrics_endpoint(_: ApiUser, catalog: CatalogDep, metrics: MetricsDep) -> Response:
    try:
        with catalog.connection() as conn:
            summary = Catalog(conn).status_summary()
    except (ApiError, psycopg.Error):
        summary = {}
    body, content_type = metrics.render(summary)
    return Response(body, media_type=content_type)


@router.get(f"{API}/openapi.json", include_in_schema=False)
def openapi(_: ApiUser, request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get(f"{API}/docs", include_in_schema=False, response_class=HTMLResponse)
def docs(_: ApiUser, request: Request, templates: TemplatesDep) -> Response:
    page = templates.TemplateResponse(
        request,
        "api_docs.html",
        {
            "title": request.app.title,
            "swagger_ui": SWAGGER_UI,
            "openapi_url": f"{API}/openapi.json",
        },
    )
    page.headers["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
    return page
