"""Routes for operators and monitoring: ``GET /health`` (no key: is the database reachable,
which platforms are configured) and ``GET /metrics`` (Prometheus; ``X-API-Key``)."""

from __future__ import annotations

import psycopg
from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from integrations.postgres.client import CatalogUnavailableError
from services.social_gateway.deps import AdaptersDep, MetricsDep, StoreDep, require_api_key
from services.social_gateway.schemas import ErrorBody, HealthOut

router = APIRouter()


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
def health(store: StoreDep, adapters: AdaptersDep) -> JSONResponse:
    try:
        store.ping()
    except (psycopg.Error, CatalogUnavailableError):
        return JSONResponse({"status": "degraded", "database": "unreachable"}, 503)
    return JSONResponse({"status": "ok", "database": "ok", "platforms": sorted(adapters)})


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
