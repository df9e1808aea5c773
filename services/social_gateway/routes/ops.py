"""Routes for operators and monitoring: ``GET /health`` (open: ok or degraded; with
``X-API-Key`` also the database's state and the configured platforms), ``GET /metrics``
(Prometheus) and ``GET /api/v1/openapi.json`` (the API's description), both with
``X-API-Key``."""

from __future__ import annotations

import psycopg
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from integrations.postgres.client import CatalogUnavailableError
from services.social_gateway.deps import (
    AdaptersDep,
    MetricsDep,
    OptionalApiKeyDep,
    StoreDep,
    require_api_key,
)
from services.social_gateway.schemas import ErrorBody, HealthOut

router = APIRouter()


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
def health(store: StoreDep, adapters: AdaptersDep, client: OptionalApiKeyDep) -> JSONResponse:
    """Open to load balancers and probes; what is configured only for clients with a key."""
    try:
        store.ping()
    except (psycopg.Error, CatalogUnavailableError):
        body, status = {"status": "degraded", "database": "unreachable"}, 503
    else:
        body, status = {"status": "ok", "database": "ok", "platforms": sorted(adapters)}, 200
    return JSONResponse(body if client else {"status": body["status"]}, status)


@router.get(
    "/api/v1/openapi.json",
    include_in_schema=False,
    dependencies=[Depends(require_api_key)],
)
def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, 401: {"model": ErrorBody}},
    dependencies=[Depends(require_api_key)],
)
def metrics(store: StoreDep, gateway_metrics: MetricsDep) -> Response:
    try:
        for status, n in store.counts().items():
            gateway_metrics.stored.labels(status).set(n)
    except (psycopg.Error, CatalogUnavailableError):
        pass  # the request counters are still worth scraping
    return Response(generate_latest(gateway_metrics.registry), media_type=CONTENT_TYPE_LATEST)
