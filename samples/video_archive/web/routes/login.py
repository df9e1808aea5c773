"""Logging in and out of the pages (a signed session cookie with its own CSRF token)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from samples.video_archive.web import auth
from samples.video_archive.web.deps import (
    MetricsDep,
    SettingsDep,
    TemplatesDep,
    check_form_csrf,
    csrf_token,
)

router = APIRouter(include_in_schema=False)

CsrfField = Annotated[str, Form(alias=auth.CSRF_FIELD)]


def safe_next(target: str, origins: Sequence[str] = ()) -> str:
    """Where login may send people: a path of this site, or a URL on one of ``origins``
    (the settings' login_return_origins); anything else goes to / (no open redirect)."""
    if any(target == o or target.startswith(f"{o}/") for o in origins) and "\\" not in target:
        return target
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, settings: SettingsDep, templates: TemplatesDep, next: str = "/"
) -> Response:
    if auth.session_user(settings, request):
        return RedirectResponse(safe_next(next, settings.login_return_origins), status_code=303)
    return templates.TemplateResponse(
        request,
        "login.html",
        {
            "csrf": csrf_token(request),
            "next": safe_next(next, settings.login_return_origins),
            "error": None,
            "user": None,
        },
    )


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    settings: SettingsDep,
    templates: TemplatesDep,
    metrics: MetricsDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token_field: CsrfField = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_form_csrf(request, csrf_token_field)
    backoff = request.app.state.login_backoff
    wait = backoff.retry_after(username)
    if wait:
        error = f"Too many failed logins for this account: try again in {wait} s."
        return _login_page(templates, request, next, error, 429, headers={"Retry-After": str(wait)})
    user = auth.authenticate_user(settings, username, password)
    if user is None:
        metrics.failed_logins.inc()
        backoff.failed(username)
        return _login_page(templates, request, next, "Wrong user name or password.", 401)
    backoff.succeeded(username)
    request.session.clear()
    request.session["user"] = user.name
    request.session[auth.SESSION_ID_KEY] = request.app.state.sessions.start(user)
    request.session["csrf"] = auth.new_csrf_token()
    return RedirectResponse(safe_next(next, settings.login_return_origins), status_code=303)


def _login_page(
    templates: Jinja2Templates,
    request: Request,
    next: str,
    error: str,
    status: int,
    headers: dict[str, str] | None = None,
) -> Response:
    return templates.TemplateResponse(
        request,
        "login.html",
        {
            "csrf": csrf_token(request),
            "next": safe_next(next, request.app.state.settings.login_return_origins),
            "error": error,
            "user": None,
        },
        status_code=status,
        headers=headers,
    )


@router.post("/logout")
def logout(request: Request, csrf_token_field: CsrfField = "") -> Response:
    check_form_csrf(request, csrf_token_field)
    session_id = request.session.get(auth.SESSION_ID_KEY)
    if isinstance(session_id, str):
        request.app.state.sessions.end(session_id)  # a copy of the cookie ends with it
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
