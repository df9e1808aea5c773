"""The video archive web service: HTML pages, a JSON API under /api/v1, health and metrics.

Everything except ``/login``, ``/health`` and the static files requires a principal: a
session (the pages, and the API when called from them) or an API key (``X-API-Key`` or
``Authorization: Bearer``). Changes need the ``editor`` role; changes made with a session
cookie also need the session's CSRF token (form field or ``X-CSRF-Token`` header).
"""

import math
import threading
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

import psycopg
from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout
from pydantic import BaseModel, Field
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import StreamingResponse

from integrations.postgres.client import redact_dsn
from samples.video_archive.catalog import Catalog
from samples.video_archive.web import auth, media, queries
from samples.video_archive.web.metrics import Metrics
from samples.video_archive.web.searching import (
    MODES,
    SearchUnavailableError,
    SemanticBackend,
    run_search,
)
from samples.video_archive.web.settings import Principal, WebSettings

HERE = Path(__file__).parent
API = "/api/v1"
MAX_PAGE_SIZE = 100
MAX_ASSET_ID = 2**63 - 1
VARIANTS = ("playable", "original", "proxy", "poster", "sprite")

MEDIA_TYPES: dict[str, Any] = {
    "video/*": {"schema": {"type": "string", "format": "binary"}},
    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
}
NO_NUL = r"^[^\x00]*$"
AssetId = Annotated[int, PathParam(ge=1, le=MAX_ASSET_ID, description="Catalog id of a video")]


# -- errors ---------------------------------------------------------------------------------
class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class LoginRequiredError(Exception):
    """A page was asked for without a session: send the browser to the login page."""


class ErrorBody(BaseModel):
    detail: str


# -- API models -----------------------------------------------------------------------------
class Card(BaseModel):
    id: int
    title: str | None
    location: str
    duration_s: float | None
    width: int | None
    height: int | None
    video_codec: str | None
    tags: list[str]
    poster_url: str | None
    url: str


class SearchResponse(BaseModel):
    query: str
    mode: str
    total: int = Field(description="Matches, counted up to total_cap")
    total_cap: int = Field(description="Counts stop at this number plus one")
    page: int
    per_page: int
    items: list[Card]


class FileLocation(BaseModel):
    source: str
    rel_path: str
    status: str
    size_bytes: int


class AssetDetail(BaseModel):
    id: int
    fingerprint: str
    title: str | None
    description: str | None
    tags: list[str]
    sidecar_text: str | None
    duration_s: float | None
    width: int | None
    height: int | None
    fps: float | None
    variable_fps: bool | None
    rotation: int | None
    container: str | None
    video_codec: str | None
    audio_codec: str | None
    audio_layout: str | None
    bit_rate: int | None
    size_bytes: int
    creation_time: str | None
    camera: str | None
    gps: list[float] | None
    scene_cuts_s: list[float]
    quality_issues: list[str]
    files: list[FileLocation]
    media: dict[str, str]


class AssetEdit(BaseModel):
    tags: list[Annotated[str, Field(max_length=200, pattern=NO_NUL)]] | None = Field(
        default=None, max_length=200
    )
    description: str | None = Field(default=None, max_length=10_000, pattern=NO_NUL)
    title: str | None = Field(default=None, max_length=300, pattern=NO_NUL)


class SourceInfo(BaseModel):
    name: str
    kind: str
    uri: str
    status: str
    status_reason: str | None
    last_scan_at: str | None
    files_present: int
    files_missing: int
    quarantined: int


class QuarantineEntry(BaseModel):
    id: int
    reason: str | None
    size_bytes: int
    locations: list[str]


class Health(BaseModel):
    status: str
    catalog: str


# -- helpers --------------------------------------------------------------------------------
def _fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    total = round(seconds)
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _fmt_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _card(row: dict[str, Any]) -> Card:
    return Card(
        id=row["id"],
        title=row.get("title"),
        location=row.get("location") or "?",
        duration_s=row.get("duration_s"),
        width=row.get("width"),
        height=row.get("height"),
        video_codec=row.get("video_codec"),
        tags=list(row.get("tags") or []),
        poster_url=f"{API}/assets/{row['id']}/media/poster" if row.get("has_poster") else None,
        url=f"/videos/{row['id']}",
    )


def _display_name(card: Card) -> str:
    if card.title:
        return card.title
    return card.location.split(":", 1)[-1].rsplit("/", 1)[-1]


def create_app(settings: WebSettings, *, semantic: SemanticBackend | None = None) -> FastAPI:
    """Build the application; the catalog pool opens now and closes with the app."""
    pool = ConnectionPool(
        settings.archive.catalog_dsn,
        min_size=1,
        max_size=settings.pool_size,
        # Autocommit: a search is one statement, so no BEGIN before it and no COMMIT when
        # the pool takes the connection back (two round trips fewer per request). The only
        # write (an edit) is a single UPDATE, atomic on its own.
        kwargs={"row_factory": dict_row, "connect_timeout": 5, "autocommit": True},
        open=False,
        timeout=10,
        name="video-archive-web",
    )
    backend = semantic or SemanticBackend(settings.archive)
    metrics = Metrics()
    derivatives_root = settings.archive.derivatives_dir

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        if settings.warm_semantic:
            threading.Thread(target=backend.warm, name="warm-semantic", daemon=True).start()
        yield
        pool.close()
        backend.close()

    app = FastAPI(
        title="Video archive",
        version="1.0",
        description="Search and browse the video archive. Authenticate with an API key "
        "(X-API-Key header or Bearer token) or a browser session.",
        lifespan=lifespan,
        docs_url=f"{API}/docs",
        openapi_url=f"{API}/openapi.json",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.pool = pool
    app.state.semantic = backend
    app.state.metrics = metrics
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["duration"] = _fmt_duration
    templates.env.filters["filesize"] = _fmt_bytes
    templates.env.globals["display_name"] = _display_name
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @contextmanager
    def connection() -> Iterator[psycopg.Connection]:
        if pool.closed:
            pool.open(wait=False)
        try:
            with pool.connection() as conn:
                yield conn
        except PoolTimeout as exc:
            raise ApiError(
                503,
                f"the catalog at {redact_dsn(settings.archive.catalog_dsn)} is not reachable",
            ) from exc

    # -- middleware and error handlers --------------------------------------------------
    @app.middleware("http")
    async def measure(request: Request, call_next: Any) -> Response:
        start = time.perf_counter()
        response: Response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        metrics.observe(request.method, template, response.status_code, start)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; media-src 'self'; "
                "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
            )
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret,
        session_cookie="va_session",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.secure_cookies,
    )

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        if request.url.path.startswith(API) or request.url.path in {"/metrics", "/health"}:
            return JSONResponse({"detail": exc.message}, exc.status, headers=exc.headers)
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": exc.status, "message": exc.message, "user": _session_user(request)},
            status_code=exc.status,
            headers=exc.headers,
        )

    @app.exception_handler(psycopg.DataError)
    async def bad_value(request: Request, exc: psycopg.DataError) -> Response:
        message = "a value cannot be stored or searched: " + str(exc).splitlines()[0]
        return await api_error(request, ApiError(422, message))

    @app.exception_handler(LoginRequiredError)
    async def to_login(request: Request, _: LoginRequiredError) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    # -- principals ---------------------------------------------------------------------
    def _session_user(request: Request) -> Principal | None:
        name = request.session.get("user") if "session" in request.scope else None
        return settings.users.get(name) if isinstance(name, str) else None

    def _api_key(request: Request) -> str | None:
        key = request.headers.get(auth.API_KEY_HEADER)
        if key:
            return key
        authorization = request.headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    def api_principal(request: Request) -> Principal:
        key = _api_key(request)
        if key is not None:
            principal = auth.authenticate_api_key(settings, key)
            if principal is None:
                raise ApiError(401, "the API key is not valid", {"WWW-Authenticate": "Bearer"})
            request.state.via = "api_key"
            return principal
        user = _session_user(request)
        if user is None:
            raise ApiError(
                401,
                "authentication required: send an API key in the X-API-Key header "
                "or log in at /login",
                {"WWW-Authenticate": "Bearer"},
            )
        request.state.via = "session"
        return user

    def api_editor(
        request: Request, principal: Annotated[Principal, Depends(api_principal)]
    ) -> Principal:
        if not principal.can_edit:
            raise ApiError(403, f"{principal.name!r} may view but not edit (role viewer)")
        if request.state.via == "session" and not auth.csrf_matches(
            request.session.get("csrf"), request.headers.get(auth.CSRF_HEADER)
        ):
            raise ApiError(403, f"missing or wrong {auth.CSRF_HEADER} header for a session call")
        return principal

    def page_user(request: Request) -> Principal:
        user = _session_user(request)
        if user is None:
            raise LoginRequiredError()
        return user

    def csrf_token(request: Request) -> str:
        token = request.session.get("csrf")
        if not token:
            token = auth.new_csrf_token()
            request.session["csrf"] = token
        return token

    def check_form_csrf(request: Request, given: str) -> None:
        if not auth.csrf_matches(request.session.get("csrf"), given):
            raise ApiError(403, "the form has expired or did not come from this site; reload it")

    ApiUser = Annotated[Principal, Depends(api_principal)]
    PageUser = Annotated[Principal, Depends(page_user)]

    # -- shared logic ---------------------------------------------------------------------
    facet_cache: dict[str, Any] = {"at": 0.0, "values": None}

    def cached_facets() -> dict[str, list[str]]:
        """Filter choices, recomputed at most once a minute (they scan the catalog)."""
        if facet_cache["values"] is None or time.monotonic() - facet_cache["at"] > 60:
            with connection() as conn:
                facet_cache["values"] = queries.facets(conn)
            facet_cache["at"] = time.monotonic()
        return facet_cache["values"]

    def search_page(
        q: str, mode: str, filters: queries.Filters, page: int, per_page: int
    ) -> tuple[list[Card], int]:
        with connection() as conn:
            try:
                result = run_search(
                    conn, backend, q, mode, filters, limit=per_page, offset=(page - 1) * per_page
                )
            except SearchUnavailableError as exc:
                raise ApiError(503, str(exc)) from exc
        return [_card(r) for r in result.items], result.total

    def asset_detail(asset_id: int) -> tuple[AssetDetail, dict[str, Any]]:
        with connection() as conn:
            catalog = Catalog(conn)
            row = catalog.asset(asset_id)
            if row is None or row["status"] != "probed":
                raise ApiError(404, f"no video with id {asset_id} in the catalog")
            files = catalog.asset_files(asset_id)
        media_urls = {"playable": f"{API}/assets/{asset_id}/media/playable"}
        for variant, column in (
            ("poster", "poster_path"),
            ("sprite", "sprite_path"),
            ("proxy", "proxy_path"),
        ):
            if row.get(column):
                media_urls[variant] = f"{API}/assets/{asset_id}/media/{variant}"
        media_urls["original"] = f"{API}/assets/{asset_id}/media/original"
        camera = " ".join(filter(None, (row.get("camera_make"), row.get("camera_model"))))
        gps = [row["gps_lat"], row["gps_lon"]] if row.get("gps_lat") is not None else None
        detail = AssetDetail(
            id=row["id"],
            fingerprint=row["fingerprint"],
            title=row["title"],
            description=row["description"],
            tags=list(row["tags"] or []),
            sidecar_text=row["sidecar_text"],
            duration_s=row["duration_s"],
            width=row["width"],
            height=row["height"],
            fps=row["fps"],
            variable_fps=row["variable_fps"],
            rotation=row["rotation"],
            container=row["container"],
            video_codec=row["video_codec"],
            audio_codec=row["audio_codec"],
            audio_layout=row["audio_layout"],
            bit_rate=row["bit_rate"],
            size_bytes=row["size_bytes"],
            creation_time=row["creation_time"].isoformat() if row["creation_time"] else None,
            camera=camera or None,
            gps=gps,
            scene_cuts_s=list(row["scene_cuts_s"] or []),
            quality_issues=list(row["quality_issues"] or []),
            files=[
                FileLocation(
                    source=f["source"],
                    rel_path=f["rel_path"],
                    status=f["status"],
                    size_bytes=f["size_bytes"],
                )
                for f in files
            ],
            media=media_urls,
        )
        return detail, row

    def open_variant(asset_id: int, variant: str) -> media.OpenMedia:
        with connection() as conn:
            row = Catalog(conn).asset(asset_id)
            if row is None or row["status"] != "probed":
                raise ApiError(404, f"no video with id {asset_id} in the catalog")
            locations = queries.playable_files(conn, asset_id)
        if variant == "playable":
            variant = "proxy" if row.get("proxy_path") else "original"
        try:
            if variant in {"poster", "sprite", "proxy"}:
                stored = row.get(f"{variant}_path")
                if not stored:
                    raise media.MediaUnavailableError(f"video {asset_id} has no {variant} yet")
                root = Path(derivatives_root)
                try:
                    relative = str(Path(stored).relative_to(root))
                except ValueError as exc:
                    raise media.MediaRefusedError(
                        f"the {variant} is not under the derivatives directory"
                    ) from exc
                return media.open_within(root, relative)
            last_error: Exception = media.MediaUnavailableError(
                f"video {asset_id} has no file on an online source; check the sources page"
            )
            for location in locations:
                if location["kind"] != "local":
                    last_error = media.MediaUnavailableError(
                        "the original is in object storage; play the proxy instead"
                    )
                    continue
                root = location["uri"].removeprefix("file://")
                try:
                    opened = media.open_within(root, location["rel_path"])
                except media.MediaUnavailableError as exc:
                    last_error = exc
                    continue
                if opened.size != location["size_bytes"]:
                    opened.close()
                    last_error = media.MediaUnavailableError(
                        "the file changed since it was catalogued; rescan its source"
                    )
                    continue
                return opened
            raise last_error
        except media.MediaRefusedError as exc:
            raise ApiError(403, f"refused: {exc}") from exc
        except media.MediaUnavailableError as exc:
            raise ApiError(404, str(exc)) from exc

    def stream(request: Request, opened: media.OpenMedia) -> Response:
        headers = {
            "Accept-Ranges": "bytes",
            "Cache-Control": "private, max-age=300",
            "Last-Modified": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(opened.mtime)),
        }
        try:
            wanted = media.parse_range(request.headers.get("range"), opened.size)
        except media.RangeNotSatisfiableError:
            opened.close()
            return Response(
                status_code=416, headers={**headers, "Content-Range": f"bytes */{opened.size}"}
            )
        if request.method == "HEAD":
            opened.close()
            return Response(
                headers={**headers, "Content-Length": str(opened.size)},
                media_type=opened.content_type,
            )
        if wanted is None:
            first, last, status = 0, opened.size - 1, 200
        else:
            (first, last), status = wanted, 206
            headers["Content-Range"] = f"bytes {first}-{last}/{opened.size}"
        headers["Content-Length"] = str(max(0, last - first + 1))
        return StreamingResponse(
            media.iter_bytes(opened, first, last),
            status_code=status,
            headers=headers,
            media_type=opened.content_type,
        )

    def filters_from(
        min_duration: float | None,
        max_duration: float | None,
        min_height: int | None,
        max_height: int | None,
        codec: str | None,
        source: str | None,
        tag: list[str] | None,
        date_from: date | None,
        date_to: date | None,
    ) -> queries.Filters:
        return queries.Filters(
            min_duration_s=min_duration,
            max_duration_s=max_duration,
            min_height=min_height,
            max_height=max_height,
            video_codec=codec or None,
            source=source or None,
            tags=tuple(t.strip().lower() for t in (tag or []) if t.strip()),
            date_from=date_from,
            date_to=date_to,
        )

    # -- open endpoints -------------------------------------------------------------------
    @app.get("/health", response_model=Health, tags=["ops"], responses={503: {"model": Health}})
    def health() -> Response:
        try:
            with connection() as conn:
                conn.execute("SELECT 1")
            return JSONResponse({"status": "ok", "catalog": "ok"})
        except (ApiError, psycopg.Error):
            return JSONResponse({"status": "degraded", "catalog": "unreachable"}, 503)

    @app.get(
        "/metrics", tags=["ops"], response_class=Response, responses={401: {"model": ErrorBody}}
    )
    def metrics_endpoint(_: ApiUser) -> Response:
        try:
            with connection() as conn:
                summary = Catalog(conn).status_summary()
        except (ApiError, psycopg.Error):
            summary = {}
        body, content_type = metrics.render(summary)
        return Response(body, media_type=content_type)

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request, next: str = "/") -> Response:
        if _session_user(request):
            return RedirectResponse(_safe_next(next), status_code=303)
        return templates.TemplateResponse(
            request,
            "login.html",
            {"csrf": csrf_token(request), "next": _safe_next(next), "error": None, "user": None},
        )

    @app.post("/login", response_class=HTMLResponse, include_in_schema=False)
    def login(
        request: Request,
        username: Annotated[str, Form(max_length=200)],
        password: Annotated[str, Form(max_length=1000)],
        csrf_token_field: Annotated[str, Form(alias=auth.CSRF_FIELD)] = "",
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        check_form_csrf(request, csrf_token_field)
        user = auth.authenticate_user(settings, username, password)
        if user is None:
            metrics.failed_logins.inc()
            return templates.TemplateResponse(
                request,
                "login.html",
                {
                    "csrf": csrf_token(request),
                    "next": _safe_next(next),
                    "error": "Wrong user name or password.",
                    "user": None,
                },
                status_code=401,
            )
        request.session.clear()
        request.session["user"] = user.name
        request.session["csrf"] = auth.new_csrf_token()
        return RedirectResponse(_safe_next(next), status_code=303)

    @app.post("/logout", include_in_schema=False)
    def logout(
        request: Request, csrf_token_field: Annotated[str, Form(alias=auth.CSRF_FIELD)] = ""
    ) -> Response:
        check_form_csrf(request, csrf_token_field)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # -- pages ----------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def search_ui(
        request: Request,
        user: PageUser,
        q: Annotated[str, Query(max_length=500)] = "",
        mode: str = "keyword",
        min_duration: str = "",
        max_duration: str = "",
        min_height: str = "",
        max_height: str = "",
        codec: str = "",
        source: str = "",
        tag: Annotated[str, Query(max_length=200)] = "",
        date_from: str = "",
        date_to: str = "",
        page: str = "1",
    ) -> Response:
        # A form sends empty fields: read them leniently and say what was ignored.
        ignored: list[str] = []

        def number(name: str, raw: str, kind: type) -> Any:
            if not raw.strip():
                return None
            try:
                value = kind(raw)
                if value < 0 or (kind is float and not math.isfinite(value)):
                    raise ValueError(raw)
                return value
            except ValueError:
                ignored.append(name)
                return None

        def day(name: str, raw: str) -> date | None:
            try:
                return date.fromisoformat(raw) if raw.strip() else None
            except ValueError:
                ignored.append(name)
                return None

        mode = mode if mode in MODES else "keyword"
        tags = [t for t in (s.strip() for s in tag.split(",")) if t]
        filters = filters_from(
            number("min. duration", min_duration, float),
            number("max. duration", max_duration, float),
            number("min. height", min_height, int),
            number("max. height", max_height, int),
            codec, source, tags,
            day("recorded from", date_from), day("recorded to", date_to),
        )  # fmt: skip
        page_number = min(max(number("page", page, int) or 1, 1), 10_000)
        per_page = settings.page_size
        error = None
        try:
            cards, total = search_page(q, mode, filters, page_number, per_page)
        except ApiError as exc:
            if exc.status != 503:
                raise
            cards, total, error = [], 0, exc.message
        if ignored:
            error = f"Ignored filters that are not valid numbers or dates: {', '.join(ignored)}."
        facet_values = cached_facets()
        params = {
            k: v for k, v in request.query_params.items() if k != "page" and v not in ("", None)
        }
        pages = max(1, math.ceil(total / per_page))
        return templates.TemplateResponse(
            request,
            "search.html",
            {
                "user": user,
                "csrf": csrf_token(request),
                "q": q,
                "mode": mode,
                "modes": MODES,
                "filters": filters,
                "tag": tag,
                "facets": facet_values,
                "cards": cards,
                "total": total,
                "total_label": (
                    f"more than {queries.COUNT_CAP:,}"
                    if total > queries.COUNT_CAP
                    else f"{total:,}"
                ),
                "page": page_number,
                "pages": pages,
                "base_query": urlencode(params),
                "error": error,
            },
        )

    @app.get("/videos/{asset_id}", response_class=HTMLResponse, include_in_schema=False)
    def video_ui(request: Request, user: PageUser, asset_id: AssetId, saved: int = 0) -> Response:
        detail, row = asset_detail(asset_id)
        with connection() as conn:
            dupes = [_card(r) for r in queries.near_duplicates(conn, asset_id, row.get("phash"))]
        return templates.TemplateResponse(
            request,
            "video.html",
            {
                "user": user,
                "csrf": csrf_token(request),
                "v": detail,
                "dupes": dupes,
                "saved": bool(saved),
                "error": None,
            },
        )

    @app.post("/videos/{asset_id}/edit", response_class=HTMLResponse, include_in_schema=False)
    def video_edit(
        request: Request,
        user: PageUser,
        asset_id: AssetId,
        tags: Annotated[str, Form(max_length=5000)] = "",
        description: Annotated[str, Form(max_length=10_000)] = "",
        title: Annotated[str, Form(max_length=300)] = "",
        csrf_token_field: Annotated[str, Form(alias=auth.CSRF_FIELD)] = "",
    ) -> Response:
        check_form_csrf(request, csrf_token_field)
        if not user.can_edit:
            raise ApiError(403, f"{user.name!r} may view but not edit videos")
        try:
            with connection() as conn:
                found = queries.update_descriptive(
                    conn,
                    asset_id,
                    tags=tags.split(","),
                    description=description,
                    title=title,
                )
        except queries.EditError as exc:
            detail, _row = asset_detail(asset_id)
            return templates.TemplateResponse(
                request,
                "video.html",
                {
                    "user": user,
                    "csrf": csrf_token(request),
                    "v": detail,
                    "dupes": [],
                    "saved": False,
                    "error": str(exc),
                },
                status_code=422,
            )
        if not found:
            raise ApiError(404, f"no video with id {asset_id} in the catalog")
        return RedirectResponse(f"/videos/{asset_id}?saved=1", status_code=303)

    @app.get("/sources", response_class=HTMLResponse, include_in_schema=False)
    def sources_ui(request: Request, user: PageUser) -> Response:
        with connection() as conn:
            sources = queries.sources_overview(conn)
            quarantine = Catalog(conn).quarantined()
            summary = Catalog(conn).status_summary()
        return templates.TemplateResponse(
            request,
            "sources.html",
            {
                "user": user,
                "csrf": csrf_token(request),
                "sources": sources,
                "quarantine": quarantine,
                "summary": summary,
            },
        )

    # -- API ------------------------------------------------------------------------------
    errors: dict[int | str, dict[str, Any]] = {
        401: {"model": ErrorBody, "description": "No or invalid credentials"},
        422: {"description": "Invalid parameters"},
    }

    @app.get(f"{API}/search", response_model=SearchResponse, tags=["search"],
             responses={**errors, 503: {"model": ErrorBody}})  # fmt: skip
    def api_search(
        _: ApiUser,
        q: Annotated[
            str, Query(max_length=500, pattern=NO_NUL, description="Words; empty lists all")
        ] = "",
        mode: Literal["keyword", "semantic", "hybrid"] = "keyword",
        min_duration: Annotated[float | None, Query(ge=0, le=1e7)] = None,
        max_duration: Annotated[float | None, Query(ge=0, le=1e7)] = None,
        min_height: Annotated[int | None, Query(ge=0, le=100_000)] = None,
        max_height: Annotated[int | None, Query(ge=0, le=100_000)] = None,
        codec: Annotated[str | None, Query(max_length=50, pattern=NO_NUL)] = None,
        source: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
        tag: Annotated[
            list[Annotated[str, Field(pattern=NO_NUL)]] | None, Query(max_length=20)
        ] = None,
        date_from: date | None = None,
        date_to: date | None = None,
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 24,
    ) -> SearchResponse:
        filters = filters_from(
            min_duration, max_duration, min_height, max_height, codec, source, tag,
            date_from, date_to,
        )  # fmt: skip
        cards, total = search_page(q, mode, filters, page, per_page)
        return SearchResponse(
            query=q,
            mode=mode,
            total=total,
            total_cap=queries.COUNT_CAP,
            page=page,
            per_page=per_page,
            items=cards,
        )

    @app.get(f"{API}/assets/{{asset_id}}", response_model=AssetDetail, tags=["assets"],
             responses={**errors, 404: {"model": ErrorBody}})  # fmt: skip
    def api_asset(_: ApiUser, asset_id: AssetId) -> AssetDetail:
        return asset_detail(asset_id)[0]

    edit_errors = {**errors, 403: {"model": ErrorBody}, 404: {"model": ErrorBody}}

    @app.patch(f"{API}/assets/{{asset_id}}", response_model=AssetDetail, tags=["assets"],
               responses=edit_errors)  # fmt: skip
    def api_edit(
        _: Annotated[Principal, Depends(api_editor)], asset_id: AssetId, edit: AssetEdit
    ) -> AssetDetail:
        try:
            with connection() as conn:
                found = queries.update_descriptive(
                    conn, asset_id, tags=edit.tags, description=edit.description, title=edit.title
                )
        except queries.EditError as exc:
            raise ApiError(422, str(exc)) from exc
        if not found:
            raise ApiError(404, f"no video with id {asset_id} in the catalog")
        return asset_detail(asset_id)[0]

    @app.get(f"{API}/assets/{{asset_id}}/duplicates", response_model=list[Card], tags=["assets"],
             responses={**errors, 404: {"model": ErrorBody}})  # fmt: skip
    def api_duplicates(_: ApiUser, asset_id: AssetId) -> list[Card]:
        _detail, row = asset_detail(asset_id)
        with connection() as conn:
            return [_card(r) for r in queries.near_duplicates(conn, asset_id, row.get("phash"))]

    @app.head(f"{API}/assets/{{asset_id}}/media/{{variant}}", include_in_schema=False)
    @app.get(
        f"{API}/assets/{{asset_id}}/media/{{variant}}",
        tags=["media"],
        response_class=Response,
        responses={
            **errors,
            200: {"description": "The whole file", "content": MEDIA_TYPES},
            206: {"description": "The requested byte range", "content": MEDIA_TYPES},
            403: {"model": ErrorBody},
            404: {"model": ErrorBody},
            416: {"description": "Range not satisfiable"},
        },
    )
    def api_media(
        request: Request,
        _: ApiUser,
        asset_id: AssetId,
        variant: Literal["playable", "original", "proxy", "poster", "sprite"],
    ) -> Response:
        """Stream a video or image of the asset; supports single byte ranges (206)."""
        return stream(request, open_variant(asset_id, variant))

    @app.get(f"{API}/sources", response_model=list[SourceInfo], tags=["sources"], responses=errors)
    def api_sources(_: ApiUser) -> list[SourceInfo]:
        with connection() as conn:
            rows = queries.sources_overview(conn)
        return [
            SourceInfo(
                name=r["name"],
                kind=r["kind"],
                uri=r["uri"],
                status=r["status"],
                status_reason=r["status_reason"],
                last_scan_at=r["last_scan_at"].isoformat() if r["last_scan_at"] else None,
                files_present=r["files_present"],
                files_missing=r["files_missing"],
                quarantined=r["quarantined"],
            )
            for r in rows
        ]

    @app.get(f"{API}/quarantine", response_model=list[QuarantineEntry], tags=["sources"],
             responses=errors)  # fmt: skip
    def api_quarantine(_: ApiUser) -> list[QuarantineEntry]:
        with connection() as conn:
            rows = Catalog(conn).quarantined()
        return [
            QuarantineEntry(
                id=r["id"],
                reason=r["quarantine_reason"],
                size_bytes=r["size_bytes"],
                locations=list(r["locations"]),
            )
            for r in rows
        ]

    return app


def _safe_next(target: str) -> str:
    """Only same-site paths after login (no open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
