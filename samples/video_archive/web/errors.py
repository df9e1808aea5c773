"""Errors the routes raise and how they are answered: JSON under the API (and for /health
and /metrics), the error page elsewhere, a redirect to the login page for pages."""

from __future__ import annotations

from urllib.parse import quote

import psycopg
from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from samples.video_archive.web.auth import session_user
from samples.video_archive.web.schemas import API

# Paths outside the API prefix whose callers are programs, not people.
_MACHINE_PATHS = frozenset({"/metrics", "/health"})


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
    if request.url.path.startswith(API) or request.url.path in _MACHINE_PATHS:
        return JSONResponse({"detail": exc.message}, exc.status, headers=exc.headers)
    return request.app.state.templates.TemplateResponse(
        request,
        "error.html",
        {
            "status": exc.status,
            "message": exc.message,
            "user": session_user(request.app.state.settings, request),
        },
        status_code=exc.status,
        headers=exc.headers,
    )


async def bad_value(request: Request, exc: psycopg.DataError) -> Response:
    """A value PostgreSQL refuses (out of range, bad encoding) is the caller's mistake."""
    message = "a value cannot be stored or searched: " + str(exc).splitlines()[0]
    return await api_error(request, ApiError(422, message))


async def to_login(request: Request, _: LoginRequiredError) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
