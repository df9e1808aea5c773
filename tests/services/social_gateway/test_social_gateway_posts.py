"""The social gateway against real PostgreSQL, a real HMAC-verifying webhook receiver and
local HTTP stand-ins of Discord's and Mastodon's documented endpoints (the SaaS platforms are
out of reach of the build machines, so these stand-ins play them)."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI, File, Form, Header, HTTPException, Request, UploadFile

from integrations.postgres.ephemeral import EphemeralPostgres, EphemeralPostgresError, find_pg_bin
from services.saas_standins.webhook_receiver import make_server
from services.social_gateway.adapters import (
    DiscordAdapter,
    MastodonAdapter,
    Post,
    WebhookAdapter,
)
from services.social_gateway.config import (
    GatewayConfigError,
    GatewaySettings,
    load_gateway_settings,
)
from services.social_gateway.delivery import PermanentFailure, RetryPolicy
from services.social_gateway.ratelimit import RateLimiter

SECRET = "webhook-secret-" + "w" * 24
API_KEY = "gateway-key-" + "k" * 40
NO_WAIT = RetryPolicy(max_attempts=4, base_delay_s=0.01)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_asgi(app: Any) -> tuple[str, Any]:
    """Serve an ASGI app with uvicorn on a free loopback port in a thread."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server


@pytest.fixture(scope="module")
def gateway_dsn() -> Iterator[str]:
    try:
        find_pg_bin()
    except EphemeralPostgresError as exc:
        pytest.skip(f"no PostgreSQL server binaries: {exc}")
    with EphemeralPostgres(database="social_gateway") as pg:
        yield pg.dsn


@pytest.fixture
def receiver() -> Iterator[tuple[str, Any]]:
    server = make_server(SECRET)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", server.received
    server.shutdown()
    server.server_close()


@pytest.fixture
def media(tmp_path: Path) -> Path:
    path = tmp_path / "media" / "clip.mp4"
    path.parent.mkdir()
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8)
    return path


def _app(dsn: str, media_root: Path, adapters: dict[str, Any], *, wait_short: bool = False) -> Any:
    from services.social_gateway.app import create_app

    settings = GatewaySettings(
        dsn=dsn,
        api_keys={"ci": hashlib.sha256(API_KEY.encode()).hexdigest()},
        media_root=media_root,
        duplicate_wait_s=1 if wait_short else 10,
    )
    return create_app(settings, adapters=adapters)


def _webhook(url: str, secret: str = SECRET) -> WebhookAdapter:
    return WebhookAdapter("hook", url, secret, policy=NO_WAIT, limiter=RateLimiter(6000))


def _headers(key: str) -> dict[str, str]:
    return {"X-API-Key": API_KEY, "Idempotency-Key": key}


# -- fast units --------------------------------------------------------------------------
def test_rate_limiter_spaces_requests() -> None:
    now = [100.0]
    waits: list[float] = []
    limiter = RateLimiter(per_minute=30, clock=lambda: now[0], sleep=waits.append)
    assert [limiter.acquire() for _ in range(3)] == [0.0, 2.0, 4.0]
    limiter.defer(10)
    assert limiter.acquire() == 10.0


def test_settings_refuse_to_start_without_api_keys_or_secrets(tmp_path: Path) -> None:
    with pytest.raises(GatewayConfigError, match="API_KEYS"):
        load_gateway_settings({"SOCIAL_GATEWAY_DSN": "host=x"})
    with pytest.raises(GatewayConfigError, match="name:<sha256"):
        load_gateway_settings({"SOCIAL_GATEWAY_DSN": "host=x", "SOCIAL_GATEWAY_API_KEYS": "a:b"})
    config = tmp_path / "gateway.toml"
    config.write_text('[platforms.hook]\nkind = "webhook"\nurl = "http://127.0.0.1:1/"\n')
    env = {
        "SOCIAL_GATEWAY_DSN": "host=x",
        "SOCIAL_GATEWAY_API_KEYS": "ci:" + "a" * 64,
        "SOCIAL_GATEWAY_CONFIG": str(config),
    }
    with pytest.raises(GatewayConfigError, match="SOCIAL_GATEWAY_SECRET_HOOK"):
        load_gateway_settings(env)
    settings = load_gateway_settings({**env, "SOCIAL_GATEWAY_SECRET_HOOK": SECRET})
    assert settings.platforms["hook"].secret == SECRET


# -- the webhook adapter against the real receiver ----------------------------------------
@pytest.mark.slow
def test_webhook_receiver_verifies_signature(receiver: Any, media: Path) -> None:
    url, received = receiver
    delivery = _webhook(url).publish(Post("hook", "hello", "key-00000001", media))
    assert delivery.external_id == "1"
    assert received.posts[0]["media"]["sha256"] == hashlib.sha256(media.read_bytes()).hexdigest()
    with pytest.raises(PermanentFailure, match=r"HTTP 401.*signature does not match"):
        _webhook(url, "another-secret-" + "x" * 20).publish(Post("hook", "x", "key-00000002"))
    assert len(received.posts) == 1 and received.rejected == ["bad signature"]

    listing = httpx.get(url.rsplit("/", 1)[0] + "/posts", timeout=5).json()
    assert listing["deliveries"] == 1 and [p["text"] for p in listing["posts"]] == ["hello"]
    assert listing["rejected"] == ["bad signature"]
    assert httpx.get(url, timeout=5).status_code == 404  # only /posts is served


@pytest.mark.slow
def test_migrate_command_applies_once_then_reports_up_to_date(gateway_dsn: str) -> None:
    """What the social_gateway role runs before (re)starting the service."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    env = {"PATH": "/usr/bin:/bin", "SOCIAL_GATEWAY_DSN": gateway_dsn}
    command = [sys.executable, "-m", "services.social_gateway", "migrate"]
    with psycopg.connect(gateway_dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS social_gateway CASCADE")

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False
        )

    runs = [run(), run()]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout.strip() == "applied migrations: 0001, 0002"
    assert runs[1].stdout.strip() == "schema up to date"
    bad = subprocess.run(
        command, cwd=root, env={**env, "SOCIAL_GATEWAY_DSN": "host=127.0.0.1 port=1 user=x"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "cannot connect" in bad.stderr


@pytest.mark.slow
def test_webhook_retries_5xx_and_429_then_succeeds(receiver: Any) -> None:
    url, received = receiver
    received.script.extend([503, 429])
    delivery = _webhook(url).publish(Post("hook", "third time lucky", "key-00000003"))
    assert delivery.attempts == 3 and len(received.posts) == 1


@pytest.mark.slow
def test_gateway_publishes_once_per_key(gateway_dsn: str, receiver: Any, media: Path) -> None:
    from fastapi.testclient import TestClient

    url, received = receiver
    app = _app(gateway_dsn, media.parent, {"hook": _webhook(url)})
    body = {"platform": "hook", "text": "A ferry at dawn", "media_path": str(media)}
    with TestClient(app) as client:
        nokey = client.post("/api/v1/posts", json=body)
        assert nokey.status_code == 401, nokey.text
        wrong = {**_headers("retry-0001"), "X-API-Key": "nope"}
        assert client.post("/api/v1/posts", json=body, headers=wrong).status_code == 401
        first = client.post("/api/v1/posts", json=body, headers=_headers("retry-0001"))
        assert first.status_code == 201, first.text
        assert first.json()["status"] == "published" and first.json()["external_id"] == "1"
        again = client.post("/api/v1/posts", json=body, headers=_headers("retry-0001"))
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
        other = {**body, "text": "something else"}
        clash = client.post("/api/v1/posts", json=other, headers=_headers("retry-0001"))
        assert clash.status_code == 422 and "different request body" in clash.text
        fetched = client.get(f"/api/v1/posts/{first.json()['id']}", headers={"X-API-Key": API_KEY})
        assert fetched.json()["url"] == received.posts[0]["url"]
        nul = {**body, "media_path": str(media) + "\x00.txt"}
        assert (
            client.post("/api/v1/posts", json=nul, headers=_headers("k-nul-01")).status_code == 422
        )
        outside = {**body, "media_path": "/etc/passwd"}
        assert (
            client.post("/api/v1/posts", json=outside, headers=_headers("k-outside")).status_code
            == 422
        )
        unknown = client.post(
            "/api/v1/posts", json={**body, "platform": "myspace"}, headers=_headers("k-unknown")
        )
        assert unknown.status_code == 422 and "unknown platform 'myspace'" in unknown.text
        assert client.get("/health").json()["status"] == "ok"
        assert client.get("/metrics").status_code == 401
        scrape = client.get("/metrics", headers={"X-API-Key": API_KEY}).text
        assert 'social_gateway_posts_total{outcome="duplicate",platform="hook"} 1.0' in scrape
        assert 'social_gateway_stored_posts{status="published"}' in scrape
    assert len(received.posts) == 1
    assert received.posts[0]["received_idempotency_key"] == "retry-0001"


@pytest.mark.slow
def test_concurrent_duplicates_create_one_post(
    gateway_dsn: str, receiver: Any, media: Path
) -> None:
    url, received = receiver

    class SlowWebhook(WebhookAdapter):
        def publish(self, post: Post) -> Any:
            time.sleep(0.3)  # keep the first request in flight while the others arrive
            return super().publish(post)

    slow = SlowWebhook("hook", url, SECRET, policy=NO_WAIT, limiter=RateLimiter(6000))
    base, server = serve_asgi(_app(gateway_dsn, media.parent, {"hook": slow}))
    body = {"platform": "hook", "text": "Concurrent", "media_path": str(media)}

    def post(_: int) -> httpx.Response:
        return httpx.post(
            f"{base}/api/v1/posts", json=body, headers=_headers("concurrent-01"), timeout=30
        )

    try:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(post, range(8)))
    finally:
        server.should_exit = True
    assert sorted(a.status_code for a in answers) == [200] * 7 + [201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert {a.json()["status"] for a in answers} == {"published"}
    assert len(received.posts) == 1 and received.deliveries == 1


@pytest.mark.slow
def test_receiver_400_is_a_permanent_failure_with_reason(gateway_dsn: str, receiver: Any) -> None:
    from fastapi.testclient import TestClient

    url, received = receiver
    received.refuse_word = "casino"
    app = _app(gateway_dsn, Path("/nonexistent"), {"hook": _webhook(url)})
    with TestClient(app) as client:
        answer = client.post(
            "/api/v1/posts",
            json={"platform": "hook", "text": "Win at the casino"},
            headers=_headers("refused-0001"),
        )
    post = answer.json()
    assert post["status"] == "failed"
    assert (
        post["error"] == "hook refused the post (HTTP 400): the text contains 'casino', not allowed"
    )
    assert received.deliveries == 1  # no retry of a 4xx


# -- stand-ins of Discord and Mastodon ------------------------------------------------------
def discord_standin() -> tuple[FastAPI, list[dict[str, Any]]]:
    """Stand-in of Discord's Execute Webhook: POST /api/webhooks/{id}/{token}?wait=true,
    multipart with payload_json and files[n]; returns the message object."""
    app, messages = FastAPI(), []

    @app.post("/api/webhooks/{hook_id}/{token}")
    async def execute(hook_id: str, token: str, request: Request, wait: bool = False) -> Any:
        import json

        if token != "hook-token":
            raise HTTPException(401, "Invalid Webhook Token")
        form = await request.form()
        payload = json.loads(str(form["payload_json"]))
        upload = form.get("files[0]")
        data = await upload.read() if upload is not None and hasattr(upload, "read") else b""
        message = {
            "id": str(1000 + len(messages)),
            "channel_id": "42",
            "content": payload["content"],
            "attachments": [{"filename": upload.filename, "size": len(data)}] if data else [],
        }
        messages.append(message)
        return message if wait else None

    return app, messages


def mastodon_standin() -> tuple[FastAPI, dict[str, Any]]:
    """Stand-in of Mastodon: POST /api/v2/media (202 while processing, url null),
    GET /api/v1/media/:id, POST /api/v1/statuses honouring Idempotency-Key."""
    app = FastAPI()
    state: dict[str, Any] = {"media": {}, "statuses": [], "by_key": {}, "polls": 0}

    def auth(authorization: str | None) -> None:
        if authorization != "Bearer masto-token":
            raise HTTPException(401, "The access token is invalid")

    @app.post("/api/v2/media", status_code=202)
    async def upload(
        file: Annotated[UploadFile, File()], authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        auth(authorization)
        media_id = str(len(state["media"]) + 1)
        state["media"][media_id] = {"size": len(await file.read()), "name": file.filename}
        return {"id": media_id, "type": "video", "url": None}

    @app.get("/api/v1/media/{media_id}")
    def media(media_id: str, authorization: Annotated[str | None, Header()] = None) -> Any:
        auth(authorization)
        state["polls"] += 1
        return {"id": media_id, "type": "video", "url": f"http://files/{media_id}.mp4"}

    @app.post("/api/v1/statuses")
    def status(
        status: Annotated[str, Form()],
        media_ids: Annotated[list[str] | None, Form(alias="media_ids[]")] = None,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        auth(authorization)
        if idempotency_key in state["by_key"]:
            return state["by_key"][idempotency_key]
        if len(status) > 500:
            raise HTTPException(422, "Validation failed: Text character limit of 500 exceeded")
        created = {
            "id": str(110_000 + len(state["statuses"])),
            "url": f"https://mastodon.example/@us/{110_000 + len(state['statuses'])}",
            "content": status,
            "media_attachments": [state["media"][m] for m in media_ids or []],
        }
        state["statuses"].append(created)
        state["by_key"][idempotency_key] = created
        return created

    return app, state


@pytest.mark.slow
def test_discord_adapter_against_standin(media: Path) -> None:
    app, messages = discord_standin()
    base, server = serve_asgi(app)
    try:
        adapter = DiscordAdapter("discord", f"{base}/api/webhooks/1/hook-token", policy=NO_WAIT)
        delivery = adapter.publish(Post("discord", "Harbour at dusk", "d-00000001", media))
        bad = DiscordAdapter("discord", f"{base}/api/webhooks/1/wrong", policy=NO_WAIT)
        with pytest.raises(PermanentFailure, match=r"HTTP 401.*Invalid Webhook Token"):
            bad.publish(Post("discord", "x", "d-00000002"))
    finally:
        server.should_exit = True
    assert delivery.external_id == "1000"
    assert delivery.url == "https://discord.com/channels/@me/42/1000"
    assert messages[0]["attachments"] == [{"filename": "clip.mp4", "size": media.stat().st_size}]


@pytest.mark.slow
def test_mastodon_adapter_against_standin(media: Path) -> None:
    app, state = mastodon_standin()
    base, server = serve_asgi(app)
    try:
        adapter = MastodonAdapter("mastodon", base, "masto-token", policy=NO_WAIT)
        first = adapter.publish(Post("mastodon", "Tram ride", "m-00000001", media))
        again = adapter.publish(Post("mastodon", "Tram ride", "m-00000001", media))
        with pytest.raises(PermanentFailure, match="500 characters"):
            adapter.publish(Post("mastodon", "x" * 501, "m-00000002"))
        wrong = MastodonAdapter("mastodon", base, "stolen", policy=NO_WAIT)
        with pytest.raises(PermanentFailure, match=r"HTTP 401.*access token is invalid"):
            wrong.publish(Post("mastodon", "x", "m-00000003"))
    finally:
        server.should_exit = True
    assert first.external_id == again.external_id == "110000"
    assert len(state["statuses"]) == 1 and state["polls"] >= 1
    assert state["statuses"][0]["media_attachments"] == [
        {"size": media.stat().st_size, "name": "clip.mp4"}
    ]


@pytest.mark.slow
def test_post_left_publishing_by_a_dead_gateway_is_taken_over(
    gateway_dsn: str, receiver: Any
) -> None:
    from fastapi.testclient import TestClient

    from services.social_gateway.store import PostStore, request_digest

    url, received = receiver
    body = {"platform": "hook", "text": "Interrupted", "media_path": None}
    store = PostStore(gateway_dsn)
    app = _app(gateway_dsn, Path("/nonexistent"), {"hook": _webhook(url)}, wait_short=True)
    # A gateway claimed this key and died before publishing: the row says "publishing".
    left, mine = store.claim("stale-0001", request_digest(body), "hook")
    assert mine
    with TestClient(app) as client:
        busy = client.post("/api/v1/posts", json=body, headers=_headers("stale-0001"))
        assert busy.status_code == 409 and busy.headers["Retry-After"] == "5"
        assert received.deliveries == 0
        with psycopg.connect(gateway_dsn, autocommit=True) as conn:
            conn.execute(
                "UPDATE social_gateway.posts SET updated_at = now() - interval '1 hour' "
                "WHERE id = %s",
                (left.id,),
            )
        taken = client.post("/api/v1/posts", json=body, headers=_headers("stale-0001"))
    assert taken.status_code == 201 and taken.json()["id"] == left.id
    assert taken.json()["status"] == "published" and len(received.posts) == 1


@pytest.mark.slow
def test_unexpected_adapter_error_is_recorded_not_left_publishing(gateway_dsn: str) -> None:
    from fastapi.testclient import TestClient

    class Broken:
        name = "broken"

        def publish(self, post: Post) -> Any:
            raise KeyError("id")  # e.g. a platform answer without the expected field

    app = _app(gateway_dsn, Path("/nonexistent"), {"broken": Broken()})
    body = {"platform": "broken", "text": "x"}
    with TestClient(app) as client:
        first = client.post("/api/v1/posts", json=body, headers=_headers("broken-0001"))
        again = client.post("/api/v1/posts", json=body, headers=_headers("broken-0001"))
    assert first.status_code == 201 and first.json()["status"] == "failed"
    assert first.json()["error"].startswith("unexpected answer from broken (KeyError: 'id')")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


@pytest.mark.slow
def test_transient_failure_is_retried_by_the_next_request_with_the_key(
    gateway_dsn: str, receiver: Any
) -> None:
    from fastapi.testclient import TestClient

    url, received = receiver
    received.script.extend([503] * NO_WAIT.max_attempts)  # down for every attempt
    app = _app(gateway_dsn, Path("/nonexistent"), {"hook": _webhook(url)})
    body = {"platform": "hook", "text": "Later"}
    with TestClient(app) as client:
        down = client.post("/api/v1/posts", json=body, headers=_headers("transient-01"))
        assert down.json()["status"] == "failed" and down.json()["retryable"] is True
        assert "after 4 attempts (last: HTTP 503: scripted)" in down.json()["error"]
        back = client.post("/api/v1/posts", json=body, headers=_headers("transient-01"))
        again = client.post("/api/v1/posts", json=body, headers=_headers("transient-01"))
    assert back.json()["id"] == down.json()["id"] == again.json()["id"]
    assert back.json()["status"] == again.json()["status"] == "published"
    assert len(received.posts) == 1 and received.deliveries == 5
