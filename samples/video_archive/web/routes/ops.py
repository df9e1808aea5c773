"""For operators and their tools: an open health check and Prometheus metrics."""

from __future__ import annotations

import psycopg
from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from samples.video_archive.catalog import Catalog
from samples.video_archive.web.deps import ApiUser, CatalogDep, MetricsDep
from samples.video_archive.web.errors import ApiError
from samples.video_archive.web.schemas import ErrorBody, Health

router = APIRouter(tags=["ops"])


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
