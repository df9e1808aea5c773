"""The JSON API against a real catalog: auth, search, details, edits, streaming, refusals."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from web_testlib import EDITOR, EDITOR_KEY, VIEWER_KEY, Archive

from samples.video_archive.web.routes.ops import SWAGGER_UI

pytestmark = pytest.mark.slow

PLAYABLE = "harbour/h264_aac.mp4"


AS_EDITOR = {"X-API-Key": EDITOR_KEY}
AS_VIEWER = {"X-API-Key": VIEWER_KEY}


# -- auth -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/search",
        "/api/v1/sources",
        "/api/v1/quarantine",
        "/api/v1/assets/1",
        "/api/v1/assets/1/media/original",
        "/api/v1/assets/1/duplicates",
        "/api/v1/openapi.json",
        "/api/v1/docs",
        "/metrics",
    ],
)
def test_every_api_path_needs_credentials(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "X-API-Key" in response.json()["detail"]


def test_a_wrong_api_key_is_401_and_a_viewer_cannot_edit(client, archive: Archive) -> None:
    assert client.get("/api/v1/search", headers={"X-API-Key": "nope"}).status_code == 401
    asset = archive.asset_id(PLAYABLE)
    response = client.patch(f"/api/v1/assets/{asset}", json={"tags": ["x"]}, headers=AS_VIEWER)
    assert response.status_code == 403
    assert "viewer" in response.json()["detail"]


def test_the_api_description_and_its_page_need_credentials_only(client) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert client.get(path).status_code in (401, 404), path  # pages need a login
    described = client.get("/api/v1/openapi.json", headers=AS_VIEWER)
    assert "/api/v1/search" in described.json()["paths"]
    page = client.get("/api/v1/docs", headers=AS_VIEWER)
    assert page.status_code == 200 and "/api/v1/openapi.json" in page.text


def test_the_api_page_runs_under_a_policy_that_admits_its_scripts(client) -> None:
    page = client.get("/api/v1/docs", headers=AS_VIEWER)
    policy = page.headers["Content-Security-Policy"]
    # Swagger UI from its CDN and the page's starter from this origin; no inline script, which
    # the site-wide policy would block (the page stayed blank).
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert scripts == [f"{SWAGGER_UI}/swagger-ui-bundle.js", "/static/api-docs.js"]
    assert "<script>" not in page.text and "unsafe-inline" not in policy
    assert f"script-src 'self' {SWAGGER_UI}/" in policy
    starter = client.get("/static/api-docs.js")
    assert starter.status_code == 200 and "SwaggerUIBundle" in starter.text


def test_errors_give_a_request_id_and_no_internals(archive: Archive) -> None:
    from fastapi.testclient import TestClient

    from samples.video_archive.web.app import create_app

    app = create_app(archive.settings)

    def fails() -> None:
        raise RuntimeError("internal detail: /srv/secret password=hunter2")

    app.add_api_route("/api/v1/fails", fails)
    with TestClient(app, raise_server_exceptions=False) as client:
        missing = client.get("/api/v1/assets/987654321", headers=AS_VIEWER)
        assert missing.json()["request_id"] == missing.headers["X-Request-Id"]
        crash = client.get("/api/v1/fails", headers=AS_VIEWER)
        assert crash.status_code == 500
        assert crash.json()["request_id"] and "hunter2" not in crash.text
        assert "internal error" in crash.json()["detail"]
    # An unreachable catalog: a 503 that names neither the server nor the credentials.
    dsn = "host=127.0.0.1 port=9 user=archive password=hunter2 dbname=archive"
    settings = archive.settings.model_copy(
        update={"archive": archive.settings.archive.model_copy(update={"catalog_dsn": dsn})}
    )
    with TestClient(create_app(settings)) as client:
        down = client.get("/api/v1/sources", headers=AS_VIEWER)
        assert down.status_code == 503
        assert "hunter2" not in down.text and "127.0.0.1" not in down.text
        assert down.json()["request_id"]


def test_bearer_tokens_work_like_api_keys(client) -> None:
    response = client.get("/api/v1/sources", headers={"Authorization": f"Bearer {VIEWER_KEY}"})
    assert response.status_code == 200


def test_pages_redirect_to_login_and_health_is_open(client) -> None:
    response = client.get("/sources", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/sources"
    assert client.get("/login").status_code == 200
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "catalog": "ok"}


def _csrf(client, path: str = "/login") -> str:
    """The CSRF token in the form of the page at ``path``."""
    return client.get(path).text.split('name="csrf_token" value="', 1)[1].split('"')[0]


def _post_login(client, name: str, password: str):
    form = {"username": name, "password": password, "csrf_token": _csrf(client)}
    return client.post("/login", data=form, follow_redirects=False)


def _log_in(client, name: str, password: str) -> str:
    """Log in through the form; the session's CSRF token."""
    assert _post_login(client, name, password).status_code == 303
    return _csrf(client, "/")


def test_logout_ends_a_copied_cookie_and_a_password_change_every_session(
    archive: Archive,
) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from samples.video_archive.web.app import create_app
    from samples.video_archive.web.auth import hash_password

    app = create_app(archive.settings)
    with TestClient(app) as client, TestClient(app) as thief:
        csrf = _log_in(client, *EDITOR)
        thief.cookies.update(client.cookies)  # a copy of the cookie, taken while logged in
        assert thief.get("/api/v1/sources").status_code == 200
        client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert thief.get("/api/v1/sources").status_code == 401
        assert thief.get("/sources", follow_redirects=False).status_code == 303  # to /login

        _log_in(client, *EDITOR)
        assert client.get("/api/v1/sources").status_code == 200
        user = archive.settings.users[EDITOR[0]]
        changed = replace(user, secret=hash_password("a new password of alice"))
        app.state.settings = archive.settings.model_copy(
            update={"users": {**archive.settings.users, EDITOR[0]: changed}}
        )
        assert client.get("/api/v1/sources").status_code == 401


def test_session_edits_need_the_csrf_token(client, archive: Archive) -> None:
    token = _csrf(client)
    refused = client.post(
        "/login",
        data={"username": EDITOR[0], "password": EDITOR[1], "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    ok = client.post(
        "/login",
        data={"username": EDITOR[0], "password": EDITOR[1], "csrf_token": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    asset = archive.asset_id(PLAYABLE)
    # Logged in: reading with the session works, changing without the header does not.
    assert client.get(f"/api/v1/assets/{asset}").status_code == 200
    assert client.patch(f"/api/v1/assets/{asset}", json={"title": "x"}).status_code == 403


def test_wrong_password_is_refused_with_a_message(client) -> None:
    response = _post_login(client, EDITOR[0], "wrong")
    assert response.status_code == 401
    assert "Wrong user name or password" in response.text


def test_failed_logins_back_off_per_account_and_the_right_password_works_after(
    archive: Archive,
) -> None:
    from fastapi.testclient import TestClient

    from samples.video_archive.web.app import create_app
    from samples.video_archive.web.login_backoff import LoginBackoff

    now = [1000.0]
    app = create_app(archive.settings)
    app.state.login_backoff = LoginBackoff(clock=lambda: now[0])
    with TestClient(app) as client:

        def login(password: str):
            return _post_login(client, EDITOR[0], password)

        assert login("wrong-1").status_code == 401
        early = login(EDITOR[1])  # even the right password waits: nothing is checked yet
        assert early.status_code == 429 and early.headers["Retry-After"] == "1"
        assert "try again in 1 s" in early.text
        now[0] += 1
        assert login("wrong-2").status_code == 401
        assert login("wrong-3").headers["Retry-After"] == "2"  # doubled
        now[0] += 2
        assert login(EDITOR[1]).status_code == 303
        client.cookies.clear()  # a new visitor: a new session and CSRF token
        assert login("wrong-4").status_code == 401  # a success starts the count again
        assert login("wrong-5").headers["Retry-After"] == "1"


# -- search and details ---------------------------------------------------------------------
def test_search_by_sidecar_words_and_path_words(client) -> None:
    sidecar = client.get("/api/v1/search", params={"q": "lighthouse"}, headers=AS_VIEWER).json()
    assert [i["location"] for i in sidecar["items"]] == [f"main:{PLAYABLE}"]
    path = client.get("/api/v1/search", params={"q": "lisbon tram"}, headers=AS_VIEWER).json()
    assert path["total"] == 1
    assert path["items"][0]["duration_s"] == pytest.approx(6.0, abs=0.1)
    assert path["items"][0]["poster_url"].endswith("/media/poster")


def test_empty_query_lists_everything_playable_and_filters_narrow(client) -> None:
    everything = client.get("/api/v1/search", params={"per_page": 100}, headers=AS_VIEWER).json()
    locations = {i["location"] for i in everything["items"]}
    assert "main:corrupt.mp4" not in locations  # quarantined files never show up
    assert f"main:{PLAYABLE}" in locations
    assert everything["total"] == len(everything["items"]) >= 12
    vp9 = client.get("/api/v1/search", params={"codec": "vp9"}, headers=AS_VIEWER).json()
    assert [i["location"] for i in vp9["items"]] == ["main:vp9_opus.webm"]
    longer = client.get("/api/v1/search", params={"min_duration": 5}, headers=AS_VIEWER).json()
    assert {i["location"] for i in longer["items"]} == {"main:trips/lisbon tram ride.mp4"}
    tagged = client.get("/api/v1/search", params={"tag": "sunset"}, headers=AS_VIEWER).json()
    assert [i["location"] for i in tagged["items"]] == ["main:camera.mp4"]
    dated = client.get(
        "/api/v1/search",
        params={"date_from": "2024-05-01", "date_to": "2024-05-01"},
        headers=AS_VIEWER,
    ).json()
    assert [i["location"] for i in dated["items"]] == ["main:camera.mp4"]


def test_asset_details_carry_metadata_and_media_links(client, archive: Archive) -> None:
    asset = archive.asset_id("camera.mp4")
    detail = client.get(f"/api/v1/assets/{asset}", headers=AS_VIEWER).json()
    assert detail["camera"] == "Canon EOS R5"
    assert detail["gps"] == pytest.approx([48.8584, 2.2945])
    assert detail["video_codec"] == "h264"
    assert set(detail["media"]) >= {"playable", "poster", "sprite", "original"}
    assert detail["files"][0]["rel_path"] == "camera.mp4"


def test_unknown_and_quarantined_ids_are_404(client, archive: Archive) -> None:
    assert client.get("/api/v1/assets/987654321", headers=AS_VIEWER).status_code == 404
    media = client.get("/api/v1/assets/987654321/media/original", headers=AS_VIEWER)
    assert media.status_code == 404
    assert "no video with id" in media.json()["detail"]
    corrupt = archive.asset_id("corrupt.mp4")
    assert client.get(f"/api/v1/assets/{corrupt}", headers=AS_VIEWER).status_code == 404


def test_sources_and_quarantine_report_offline_and_reasons(client) -> None:
    sources = {s["name"]: s for s in client.get("/api/v1/sources", headers=AS_VIEWER).json()}
    assert sources["unplugged"]["status"] == "offline"
    assert "does not exist" in sources["unplugged"]["status_reason"]
    assert sources["main"]["status"] == "online"
    assert sources["main"]["quarantined"] == 3
    quarantine = client.get("/api/v1/quarantine", headers=AS_VIEWER).json()
    reasons = {q["locations"][0]: q["reason"] for q in quarantine}
    assert set(reasons) == {"main:corrupt.mp4", "main:zero_bytes.mp4", "main:not_a_video.mp4"}
    assert all(reasons.values())


def test_edits_are_stored_and_found_by_keyword(client, archive: Archive) -> None:
    asset = archive.asset_id("no_audio.mkv")
    # Searched once before the edit, so the service holds this query's ranking.
    before = client.get("/api/v1/search", params={"q": "ferry"}, headers=AS_VIEWER).json()
    assert asset not in [i["id"] for i in before["items"]]
    response = client.patch(
        f"/api/v1/assets/{asset}",
        json={"tags": ["  Night Ferry ", "night ferry", "harbour"], "description": "Silent"},
        headers=AS_EDITOR,
    )
    assert response.status_code == 200, response.text
    assert response.json()["tags"] == ["night ferry", "harbour"]
    found = client.get("/api/v1/search", params={"q": "ferry"}, headers=AS_VIEWER).json()
    assert found["items"][0]["id"] == asset
    by_tag = client.get("/api/v1/search", params={"tag": "night ferry"}, headers=AS_VIEWER)
    assert [i["id"] for i in by_tag.json()["items"]] == [asset]
    bad = client.patch(f"/api/v1/assets/{asset}", json={"tags": ["<script>"]}, headers=AS_EDITOR)
    assert bad.status_code == 422
    assert "not allowed" in bad.json()["detail"]


# -- streaming ------------------------------------------------------------------------------
def test_range_requests_return_206_with_the_right_bytes(client, archive: Archive) -> None:
    asset = archive.asset_id(PLAYABLE)
    original = (archive.originals / PLAYABLE).read_bytes()
    url = f"/api/v1/assets/{asset}/media/original"
    full = client.get(url, headers=AS_VIEWER)
    assert full.status_code == 200
    assert full.content == original
    assert full.headers["accept-ranges"] == "bytes"
    part = client.get(url, headers={**AS_VIEWER, "Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.content == original[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(original)}"
    assert part.headers["content-length"] == "1000"
    tail = client.get(url, headers={**AS_VIEWER, "Range": "bytes=-10"})
    assert tail.status_code == 206
    assert tail.content == original[-10:]
    open_end = client.get(url, headers={**AS_VIEWER, "Range": f"bytes={len(original) - 5}-"})
    assert open_end.content == original[-5:]
    beyond = client.get(url, headers={**AS_VIEWER, "Range": f"bytes={len(original)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(original)}"


def test_playable_serves_the_proxy_when_the_original_is_not_browser_playable(
    client, archive: Archive
) -> None:
    avi = archive.asset_id("mpeg4.avi")
    detail = client.get(f"/api/v1/assets/{avi}", headers=AS_VIEWER).json()
    assert "proxy" in detail["media"]
    playable = client.get(f"/api/v1/assets/{avi}/media/playable", headers=AS_VIEWER)
    assert playable.status_code == 200
    assert playable.headers["content-type"] == "video/mp4"
    assert playable.content[4:8] == b"ftyp"
    mp4 = archive.asset_id(PLAYABLE)
    same = client.get(f"/api/v1/assets/{mp4}/media/playable", headers=AS_VIEWER)
    assert same.content == (archive.originals / PLAYABLE).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/assets/..%2F..%2Fetc%2Fpasswd/media/original",
        "/api/v1/assets/1/media/..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/v1/assets/%2Fetc%2Fpasswd/media/original",
        "/api/v1/assets/1/media/original/../../../../etc/passwd",
        "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/static/../app.py",
    ],
)
def test_crafted_paths_are_refused(client, path: str) -> None:
    response = client.get(path, headers=AS_VIEWER)
    assert response.status_code in {404, 422}, response.status_code
    assert b"root:" not in response.content
    assert b"create_app" not in response.content


def test_a_query_parameter_cannot_choose_the_file(client, archive: Archive) -> None:
    asset = archive.asset_id(PLAYABLE)
    response = client.get(
        f"/api/v1/assets/{asset}/media/original",
        params={"path": "/etc/passwd", "file": "../../etc/passwd"},
        headers=AS_VIEWER,
    )
    assert response.content == (archive.originals / PLAYABLE).read_bytes()


def test_a_catalogued_file_swapped_for_a_symlink_out_of_the_source_is_refused(
    client, archive: Archive
) -> None:
    asset = archive.asset_id("broadcast.ts")
    target = archive.originals / "broadcast.ts"
    saved = target.with_name("broadcast.ts.saved")
    os.rename(target, saved)
    try:
        os.symlink(archive.outside / "secret.txt", target)
        response = client.get(f"/api/v1/assets/{asset}/media/original", headers=AS_VIEWER)
        assert response.status_code == 403
        assert "outside its source" in response.json()["detail"]
        assert b"not for the web" not in response.content
    finally:
        target.unlink()
        os.rename(saved, target)
    restored = client.get(f"/api/v1/assets/{asset}/media/original", headers=AS_VIEWER)
    assert restored.status_code == 200


def test_a_file_gone_from_its_source_is_404_with_a_hint(client, archive: Archive) -> None:
    asset = archive.asset_id("rotated.mov")
    target: Path = archive.originals / "rotated.mov"
    saved = target.with_name("rotated.mov.saved")
    os.rename(target, saved)
    try:
        response = client.get(f"/api/v1/assets/{asset}/media/original", headers=AS_VIEWER)
        assert response.status_code == 404
        assert "rescan" in response.json()["detail"]
    finally:
        os.rename(saved, target)


def test_metrics_are_prometheus_text(client) -> None:
    client.get("/health")
    response = client.get("/metrics", headers=AS_VIEWER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'video_archive_http_requests_total{method="GET",route="/health",status="200"}' in (
        response.text
    )
    assert 'video_archive_catalog{kind="quarantined"} 3.0' in response.text
    assert "video_archive_ranking_cache_misses_total" in response.text


def test_posters_sprites_and_near_duplicates(client, archive: Archive) -> None:
    asset = archive.asset_id(PLAYABLE)
    poster = client.get(f"/api/v1/assets/{asset}/media/poster", headers=AS_VIEWER)
    assert poster.status_code == 200
    assert poster.headers["content-type"] == "image/jpeg"
    assert poster.content[:3] == b"\xff\xd8\xff"
    sprite = client.get(f"/api/v1/assets/{asset}/media/sprite", headers=AS_VIEWER)
    assert sprite.content[:3] == b"\xff\xd8\xff"
    dupes = client.get(f"/api/v1/assets/{asset}/duplicates", headers=AS_VIEWER).json()
    assert "main:copies/harbour big.mkv" in [d["location"] for d in dupes]
