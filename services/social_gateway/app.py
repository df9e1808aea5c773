"""The social gateway's HTTP API.

- ``POST /api/v1/posts`` (header ``Idempotency-Key``): publish once. The first request with
  a key creates the post row (a unique constraint in PostgreSQL) and publishes; a retried or
  concurrent duplicate gets that same post back (200), waiting for it while it is being
  published; the same key with a different body is refused (422). A post that failed only
  transiently (``retryable``: 429/5xx/network after every retry) is tried again by the next
  request with its key.
- ``GET /api/v1/posts/{id}``.
- ``GET /health`` (no key: database reachable), ``GET /metrics`` (Prometheus, API key).
Every ``/api`` route and ``/metrics`` need ``X-API-Key``, as in the archive's web service.
"""

# No ``from __future__ import annotations``: FastAPI must see the dependency objects of the
# routes defined inside create_app, not their names as strings.
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import httpx
import psycopg
from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from pydantic import BaseModel, Field

from integrations.postgres.client import CatalogUnavailableError
from services.social_gateway.adapters import (
    Adapter,
    DiscordAdapter,
    MastodonAdapter,
    Post,
    WebhookAdapter,
)
from services.social_gateway.config import GatewaySettings, PlatformSettings
from services.social_gateway.delivery import PermanentFailure, RetryPolicy, TransientFailure
from services.social_gateway.ratelimit import RateLimiter
from services.social_gateway.store import PostStore, StoredPost, migrate, request_digest

API_KEY_HEADER = "X-API-Key"


class PostRequest(BaseModel):
    platform: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=10_000)
    media_path: str | None = None


class PostOut(BaseModel):
    id: int
    platform: str
    status: str
    external_id: str | None = None
    url: str | None = None
    error: str | None = None
    attempts: int
    retryable: bool
    created_at: str
    updated_at: str
    detail: str | None = None


class ErrorBody(BaseModel):
    detail: Any


class HealthOut(BaseModel):
    status: str
    database: str
    platforms: list[str] | None = None


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody},
    401: {"model": ErrorBody},
    422: {"model": ErrorBody},
}


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "social_gateway_http_requests", "HTTP requests by method, route template and status",
            ["method", "route", "status"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "social_gateway_http_request_duration_seconds", "Time to the response by route",
            ["route"], registry=self.registry,
        )  # fmt: skip
        self.published = Counter(
            "social_gateway_posts", "Publish outcomes by platform (published, failed, duplicate)",
            ["platform", "outcome"], registry=self.registry,
        )  # fmt: skip
        self.stored = Gauge(
            "social_gateway_stored_posts", "Posts in the database by status at scrape time",
            ["status"], registry=self.registry,
        )  # fmt: skip


def build_adapter(platform: PlatformSettings, client: httpx.Client | None = None) -> Adapter:
    common: dict[str, Any] = {
        "client": client,
        "limiter": RateLimiter(per_minute=platform.per_minute),
        "policy": RetryPolicy(max_attempts=platform.max_attempts),
    }
    if platform.kind == "webhook":
        return WebhookAdapter(platform.name, platform.url, platform.secret, **common)
    if platform.kind == "discord":
        return DiscordAdapter(platform.name, platform.url, **common)
    return MastodonAdapter(platform.name, platform.url, platform.secret, **common)


def create_app(
    settings: GatewaySettings,
    *,
    adapters: Mapping[str, Adapter] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FastAPI:
    if not settings.api_keys:
        raise ValueError("the gateway needs at least one API key")
    migrate(settings.dsn)
    store = PostStore(settings.dsn)
    metrics = GatewayMetrics()
    registry: dict[str, Adapter] = dict(adapters or {})
    for name, platform in settings.platforms.items():
        registry.setdefault(name, build_adapter(platform))
    app = FastAPI(title="Social gateway", version="1", openapi_url="/api/v1/openapi.json")

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[..., Any]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        metrics.latency.labels(route).observe(time.perf_counter() - started)
        return response

    def require_key(x_api_key: Annotated[str | None, Header()] = None) -> str:
        digest = hashlib.sha256((x_api_key or "").encode()).hexdigest()
        match = None
        for name, expected in settings.api_keys.items():
            if hmac.compare_digest(digest, expected):
                match = name
        if not x_api_key or match is None:
            raise HTTPException(401, "a valid X-API-Key header is required")
        return match

    def media(path: str | None) -> Path | None:
        if path is None:
            return None
        if "\x00" in path:
            raise HTTPException(422, "media_path must not contain NUL characters")
        resolved = Path(path).resolve()
        root = settings.media_root.resolve() if settings.media_root else None
        if root is None or not resolved.is_relative_to(root):
            raise HTTPException(422, f"media_path must lie under the gateway's media_root ({root})")
        return resolved

    def wait_for(post: StoredPost) -> StoredPost:
        deadline = time.monotonic() + settings.duplicate_wait_s
        while post.status == "publishing" and time.monotonic() < deadline:
            sleep(0.1)
            post = store.get(post.id) or post
        return post

    @app.post(
        "/api/v1/posts",
        status_code=201,
        response_model=PostOut,
        responses={200: {"model": PostOut}, 409: {"model": PostOut}, **_ERRORS},
    )
    def create_post(
        body: PostRequest,
        key_name: Annotated[str, Depends(require_key)],
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        if not idempotency_key or not 8 <= len(idempotency_key) <= 200:
            raise HTTPException(400, "an Idempotency-Key header of 8 to 200 characters is required")
        adapter = registry.get(body.platform)
        if adapter is None:
            known = ", ".join(sorted(registry)) or "none configured"
            raise HTTPException(422, f"unknown platform {body.platform!r} (known: {known})")
        media_path = media(body.media_path)
        digest = request_digest(body.model_dump())
        post, mine = store.claim(idempotency_key, digest, body.platform)
        if not mine:
            if post.request_sha256 != digest:
                raise HTTPException(
                    422, "this Idempotency-Key was used with a different request body"
                )
            post = wait_for(post)
            taken = None
            if post.status == "publishing":
                taken = store.reclaim_stale(post.id, settings.stale_after_s)
            elif post.status == "failed" and post.retryable:
                taken = store.reclaim_retryable(post.id)
            if taken is None:
                metrics.published.labels(body.platform, "duplicate").inc()
                if post.status == "publishing":
                    answer = {**post.public(), "detail": "still being published; retry later"}
                    return JSONResponse(answer, status_code=409, headers={"Retry-After": "5"})
                return JSONResponse(post.public(), status_code=200)
            post = taken
        try:
            delivery = adapter.publish(Post(body.platform, body.text, idempotency_key, media_path))
        except (PermanentFailure, TransientFailure) as exc:
            retryable = isinstance(exc, TransientFailure)
            post = store.finish(post.id, status="failed", error=str(exc), retryable=retryable)
            metrics.published.labels(body.platform, "failed").inc()
            return JSONResponse(post.public(), status_code=201)
        except Exception as exc:
            # An answer the adapter did not expect: record it rather than leave the key
            # "publishing" until it goes stale; the post may or may not exist on the platform.
            reason = f"unexpected answer from {body.platform} ({type(exc).__name__}: {exc}); "
            post = store.finish(
                post.id, status="failed", error=reason + "check the platform before re-posting"
            )
            metrics.published.labels(body.platform, "failed").inc()
            return JSONResponse(post.public(), status_code=201)
        post = store.finish(
            post.id,
            status="published",
            external_id=delivery.external_id,
            url=delivery.url,
            attempts=delivery.attempts,
        )
        metrics.published.labels(body.platform, "published").inc()
        return JSONResponse(post.public(), status_code=201)

    @app.get(
        "/api/v1/posts/{post_id}",
        response_model=PostOut,
        responses={404: {"model": ErrorBody}, **_ERRORS},
    )
    def get_post(post_id: int, key_name: Annotated[str, Depends(require_key)]) -> dict[str, Any]:
        post = store.get(post_id)
        if post is None:
            raise HTTPException(404, f"no post {post_id}")
        return post.public()

    @app.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
    def health() -> JSONResponse:
        try:
            store.ping()
        except (psycopg.Error, CatalogUnavailableError):
            return JSONResponse({"status": "degraded", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok", "database": "ok", "platforms": sorted(registry)})

    @app.get(
        "/metrics",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, 401: {"model": ErrorBody}},
    )
    def metrics_endpoint(key_name: Annotated[str, Depends(require_key)]) -> Response:
        try:
            for status, n in store.counts().items():
                metrics.stored.labels(status).set(n)
        except (psycopg.Error, CatalogUnavailableError):
            pass  # the request counters are still worth scraping
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
