"""The social gateway's HTTP API: the app factory.

The routes are in ``routes/`` (``posts``: the posting API for clients; ``ops``: health and
metrics), their dependencies in ``deps.py``, the publish-once logic in ``publishing.py``.
Every ``/api`` route and ``/metrics`` need ``X-API-Key``, as in the archive's web service;
``/health`` is open but says only ok or degraded without one.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.social_gateway.adapters import Adapter, build_adapter
from services.social_gateway.config import GatewaySettings
from services.social_gateway.errors import GatewayError, gateway_error_handler
from services.social_gateway.metrics import GatewayMetrics, observe_requests
from services.social_gateway.publishing import Publisher
from services.social_gateway.routes import ops, posts
from services.social_gateway.store import PostStore, migrate


def create_app(
    settings: GatewaySettings,
    *,
    adapters: Mapping[str, Adapter] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FastAPI:
    """The gateway over its database (migrated now, so a bad DSN stops the start) and the
    configured platforms; ``adapters`` replace or add platforms (tests)."""
    migrate(settings.dsn)
    given = dict(adapters or {})
    built = {
        name: build_adapter(platform)
        for name, platform in settings.platforms.items()
        if name not in given
    }
    registry: dict[str, Adapter] = {**given, **built}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        for adapter in built.values():  # their HTTP clients; given adapters are the caller's
            adapter.close()

    # No open documentation: the API's description is served to clients with a key
    # (routes/ops.py), and there is no interactive page.
    app = FastAPI(
        title="Social gateway",
        version="1",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    store = PostStore(settings.dsn)
    metrics = GatewayMetrics()
    app.state.settings = settings
    app.state.store = store
    app.state.metrics = metrics
    app.state.adapters = registry
    app.state.publisher = Publisher(
        store,
        registry,
        metrics,
        media_root=settings.media_root,
        duplicate_wait_s=settings.duplicate_wait_s,
        stale_after_s=settings.stale_after_s,
        sleep=sleep,
    )
    app.middleware("http")(observe_requests)
    app.add_exception_handler(GatewayError, gateway_error_handler)
    app.include_router(posts.router)
    app.include_router(ops.router)
    return app
