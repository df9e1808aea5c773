"""Errors the routes raise and how they are answered: JSON under the API (and for /health
and /metrics), the error page elsewhere, a redirect to the login page for pages.

Answers never carry internals (database messages, addresses, exception text): they say what
went wrong in general and give the request id; the detail goes to the log under that id."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import quote

import psycopg
from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from samples.video_archive.web.auth import session_user
from samples.video_archive.web.schemas import API

logger = logging.getLogger(__name__)

# Paths outside the API prefix whose callers are programs, not people.
_MACHINE_PATHS = frozenset({"/metrics", "/health"})
REQUEST_ID_HEADER = "X-Request-Id"


def request_id(request: Request) -> str:
    """This request's id (made on first use; the middleware sends it as X-Request-Id)."""
    state = request.state
    if not getattr(state, "request_id", None):
        state.request_id = secrets.token_hex(8)
    return state.request_id


class ApiError(Exception):
    """A request that cannot be served: the status, the one-line reason, extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class LoginRequiredError(Exception):
    """A page was asked for without a session: send the browser to the login page."""


def not_found(asset_id: int) -> ApiError:
    return ApiError(404, f"no video with id {asset_id} in the catalog")


async def api_error(request: Request, exc: ApiError) -> Response:
    rid = request_id(request)
    headers = {**exc.headers, REQUEST_ID_HEADER: rid}
    if request.url.path.startswith(API) or request.url.path in _MACHINE_PATHS:
        return JSONResponse({"detail": exc.message, "request_id": rid}, exc.status, headers=headers)
    return request.app.state.templates.TemplateResponse(
        request,
        "error.html",
        {
            "status": exc.status,
            "message": exc.message,
            "request_id": rid,
            "user": session_user(request.app.state.settings, request),
        },
        status_code=exc.status,
        headers=headers,
    )


async def bad_value(request: Request, exc: psycopg.DataError) -> Response:
    """A value PostgreSQL refuses (out of range, bad encoding) is the caller's mistake."""
    logger.info("request %s: value refused by the catalog: %s", request_id(request), exc)
    message = "a value cannot be stored or searched (out of range or not valid text)"
    return await api_error(request, ApiError(422, message))


async def internal_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected: a 500 that says so, and the traceback in the log."""
    logger.error(
        "request %s (%s %s) failed", request_id(request), request.method, request.url.path,
        exc_info=exc,
    )  # fmt: skip
    message = "internal error: give the request id to the archive's operator"
    return await api_error(request, ApiError(500, message))


async def to_login(request: Request, _: LoginRequiredError) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
