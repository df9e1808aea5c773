"""The video archive web service: HTML pages, a JSON API under /api/v1, health and metrics.

``create_app`` puts what requests share on ``app.state`` (settings, the catalog pool, the
semantic backend, metrics, templates, the facet cache), adds the middleware and the error
handlers and includes the routers; the routes reach that state through ``deps``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from samples.archive_qa.answerers import answerer_for
from samples.archive_qa.settings import QASettings
from samples.video_archive.search import RankingCache, SemanticBackend
from samples.video_archive.web import errors
from samples.video_archive.web.database import CatalogPool
from samples.video_archive.web.facets import FacetCache
from samples.video_archive.web.login_backoff import LoginBackoff
from samples.video_archive.web.metrics import Metrics
from samples.video_archive.web.routes import api, ask, login, ops, pages
from samples.video_archive.web.sessions import SessionStore
from samples.video_archive.web.settings import WebSettings
from samples.video_archive.web.templating import make_templates

STATIC_DIR = Path(__file__).with_name("static")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; "
    "style-src 'self'; script-src 'self'; frame-ancestors 'none'"
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Warm the embedder in the background; close the pool and the index at shutdown."""
    state = app.state
    if state.settings.warm_semantic:
        threading.Thread(target=state.semantic.warm, name="warm-semantic", daemon=True).start()
    yield
    state.catalog.close()
    state.semantic.close()


async def measure_and_harden(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Count the request by route template and add the security headers."""
    start = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    template = getattr(route, "path", None) or "unmatched"
    request.app.state.metrics.observe(request.method, template, response.status_code, start)
    response.headers.setdefault(errors.REQUEST_ID_HEADER, errors.request_id(request))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.headers.get("content-type", "").startswith("text/html"):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def create_app(settings: WebSettings, *, semantic: SemanticBackend | None = None) -> FastAPI:
    """Build the application; the catalog pool opens on first use and closes with the app."""
    app = FastAPI(
        title="Video archive",
        version="1.0",
        description="Search and browse the video archive. Authenticate with an API key "
        "(X-API-Key header or Bearer token) or a browser session.",
        lifespan=lifespan,
        # The description and its page need a principal: routes/ops.py serves them.
        docs_url=None,
        openapi_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.catalog = CatalogPool(settings.archive.catalog_dsn, settings.pool_size)
    app.state.semantic = semantic or SemanticBackend(settings.archive)
    app.state.rankings = RankingCache()
    app.state.metrics = Metrics(
        lambda: app.state.semantic.query_vectors,
        app.state.rankings,
        lambda: app.state.semantic.graph_searches,
    )
    app.state.templates = make_templates()
    app.state.facets = FacetCache()
    app.state.answerer = answerer_for(QASettings.load())
    app.state.login_backoff = LoginBackoff()
    app.state.sessions = SessionStore(app.state.catalog, settings.session_max_age_s)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    app.middleware("http")(measure_and_harden)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret,
        session_cookie="va_session",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.secure_cookies,
        domain=settings.session_cookie_domain or None,
    )
    app.add_exception_handler(errors.ApiError, errors.api_error)
    app.add_exception_handler(psycopg.DataError, errors.bad_value)
    app.add_exception_handler(errors.LoginRequiredError, errors.to_login)
    app.add_exception_handler(Exception, errors.internal_error)

    for router in (ops.router, login.router, pages.router, api.router, ask.router):
        app.include_router(router)
    return app
