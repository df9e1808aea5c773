"""The social gateway's HTTP API: the app factory.

The routes are in ``routes/`` (``posts``: the posting API for clients; ``ops``: health and
metrics), their dependencies in ``deps.py``, the queue-once logic in ``publishing.py``; the
delivery worker (``worker.py``) runs beside them, started and stopped by the app's lifespan.
Every ``/api`` route and ``/metrics`` need ``X-API-Key``, as in the archive's web service;
``/health`` is open but says only ok or degraded without one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.social_gateway.adapters import Adapter, build_adapter
from services.social_gateway.config import GatewaySettings
from services.social_gateway.errors import GatewayError, gateway_error_handler
from services.social_gateway.metrics import GatewayMetrics, observe_requests
from services.social_gateway.publishing import Publisher
from services.social_gateway.routes import ops, posts
from services.social_gateway.store import PostStore, migrate
from services.social_gateway.worker import DeliveryWorker


def create_app(
    settings: GatewaySettings,
    *,
    adapters: Mapping[str, Adapter] | None = None,
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
    # Each worker thread holds one connection while it records; requests share the rest.
    store = PostStore(settings.dsn, max_connections=settings.worker_concurrency + 4)
    metrics = GatewayMetrics()
    worker = DeliveryWorker(
        store,
        registry,
        metrics,
        media_root=settings.media_root,
        concurrency=settings.worker_concurrency,
        poll_s=settings.worker_poll_s,
        stale_after_s=settings.stale_after_s,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker.start()
        try:
            yield
        finally:
            await asyncio.to_thread(worker.stop)  # finishes a delivery in flight
            store.close()
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
    app.state.settings = settings
    app.state.store = store
    app.state.metrics = metrics
    app.state.adapters = registry
    app.state.worker = worker
    app.state.publisher = Publisher(
        store, registry, metrics, media_root=settings.media_root, wake_worker=worker.wake
    )
    app.middleware("http")(observe_requests)
    app.add_exception_handler(GatewayError, gateway_error_handler)
    app.include_router(posts.router)
    app.include_router(ops.router)
    return app
