"""Typed dependencies of the routes: what the app holds on ``app.state`` (settings, the
catalog pool, the semantic backend, metrics, templates, the facet cache) and who is asking
(a session user or an API key, and whether they may edit).

Everything except ``/login``, ``/health`` and the static files requires a principal: a
session (the pages, and the API when called from them) or an API key (``X-API-Key`` or
``Authorization: Bearer``). Changes need the ``editor`` role; changes made with a session
cookie also need the session's CSRF token (form field or ``X-CSRF-Token`` header).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from samples.video_archive.search import RankingCache, SemanticBackend
from samples.video_archive.web import auth
from samples.video_archive.web.database import CatalogPool
from samples.video_archive.web.errors import ApiError, LoginRequiredError
from samples.video_archive.web.facets import FacetCache
from samples.video_archive.web.metrics import Metrics
from samples.video_archive.web.settings import Principal, WebSettings


# -- what the app holds -----------------------------------------------------------------------
def get_settings(request: Request) -> WebSettings:
    return request.app.state.settings


def get_catalog(request: Request) -> CatalogPool:
    return request.app.state.catalog


def get_semantic(request: Request) -> SemanticBackend:
    return request.app.state.semantic


def get_rankings(request: Request) -> RankingCache:
    return request.app.state.rankings


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


def get_facets(request: Request) -> FacetCache:
    return request.app.state.facets


SettingsDep = Annotated[WebSettings, Depends(get_settings)]
CatalogDep = Annotated[CatalogPool, Depends(get_catalog)]
SemanticDep = Annotated[SemanticBackend, Depends(get_semantic)]
RankingsDep = Annotated[RankingCache, Depends(get_rankings)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
FacetsDep = Annotated[FacetCache, Depends(get_facets)]


# -- who is asking ----------------------------------------------------------------------------
def _api_key(request: Request) -> str | None:
    key = request.headers.get(auth.API_KEY_HEADER)
    if key:
        return key
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def api_principal(request: Request, settings: SettingsDep) -> Principal:
    """The API key's principal, else the session's; a 401 naming both ways in otherwise."""
    key = _api_key(request)
    if key is not None:
        principal = auth.authenticate_api_key(settings, key)
        if principal is None:
            raise ApiError(401, "the API key is not valid", {"WWW-Authenticate": "Bearer"})
        request.state.via = "api_key"
        return principal
    user = auth.session_user(settings, request)
    if user is None:
        raise ApiError(
            401,
            "authentication required: send an API key in the X-API-Key header or log in at /login",
            {"WWW-Authenticate": "Bearer"},
        )
    request.state.via = "session"
    return user


ApiUser = Annotated[Principal, Depends(api_principal)]


def api_editor(request: Request, principal: ApiUser) -> Principal:
    """An editor; a session caller must also echo the session's CSRF token in a header."""
    if not principal.can_edit:
        raise ApiError(403, f"{principal.name!r} may view but not edit (role viewer)")
    if request.state.via == "session" and not auth.csrf_matches(
        request.session.get("csrf"), request.headers.get(auth.CSRF_HEADER)
    ):
        raise ApiError(403, f"missing or wrong {auth.CSRF_HEADER} header for a session call")
    return principal


ApiEditor = Annotated[Principal, Depends(api_editor)]


def page_user(request: Request, settings: SettingsDep) -> Principal:
    """The session's user; without one, the browser goes to the login page."""
    user = auth.session_user(settings, request)
    if user is None:
        raise LoginRequiredError()
    return user


PageUser = Annotated[Principal, Depends(page_user)]


# -- CSRF for forms (called in the route body: after the form has been validated) -------------
def csrf_token(request: Request) -> str:
    """The session's CSRF token for the forms of a page, made on first use."""
    token = request.session.get("csrf")
    if not token:
        token = auth.new_csrf_token()
        request.session["csrf"] = token
    return token


def check_form_csrf(request: Request, given: str) -> None:
    if not auth.csrf_matches(request.session.get("csrf"), given):
        raise ApiError(403, "the form has expired or did not come from this site; reload it")
