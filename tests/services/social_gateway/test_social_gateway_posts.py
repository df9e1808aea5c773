"""The posting API (POST/GET /api/v1/posts) against real PostgreSQL and the real
HMAC-verifying webhook receiver: one post per idempotency key, whatever the client repeats,
the gateway dies or the platform answers; plus the health and metrics routes seen by a client."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from gateway_testlib import API_KEY, NO_WAIT, SECRET, headers, served

from services.social_gateway.adapters import Post, WebhookAdapter
from services.social_gateway.ratelimit import RateLimiter
from services.social_gateway.store import PostStore, request_digest

pytestmark = pytest.mark.slow
MakeApp = Callable[..., Any]


def webhook(url: str) -> WebhookAdapter:
    return WebhookAdapter("hook", url, SECRET, policy=NO_WAIT, limiter=RateLimiter(6000))


def test_gateway_publishes_once_per_key(make_app: MakeApp, receiver: Any, media: Path) -> None:
    url, received = receiver
    app = make_app({"hook": webhook(url)}, media_root=media.parent)
    body = {"platform": "hook", "text": "A ferry at dawn", "media_path": str(media)}
    with TestClient(app) as client:
        nokey = client.post("/api/v1/posts", json=body)
        assert nokey.status_code == 401, nokey.text
        wrong = {**headers("retry-0001"), "X-API-Key": "nope"}
        assert client.post("/api/v1/posts", json=body, headers=wrong).status_code == 401
        first = client.post("/api/v1/posts", json=body, headers=headers("retry-0001"))
        assert first.status_code == 201, first.text
        assert first.json()["status"] == "published" and first.json()["external_id"] == "1"
        again = client.post("/api/v1/posts", json=body, headers=headers("retry-0001"))
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
        other = {**body, "text": "something else"}
        clash = client.post("/api/v1/posts", json=other, headers=headers("retry-0001"))
        assert clash.status_code == 422 and "different request body" in clash.text
        fetched = client.get(f"/api/v1/posts/{first.json()['id']}", headers={"X-API-Key": API_KEY})
        assert fetched.json()["url"] == received.posts[0]["url"]
        assert client.get("/health").json() == {"status": "ok"}  # no key: no details
        detailed = client.get("/health", headers={"X-API-Key": API_KEY}).json()
        assert detailed == {"status": "ok", "database": "ok", "platforms": ["hook"]}
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert client.get(path).status_code == 404, path
        assert client.get("/api/v1/openapi.json").status_code == 401
        described = client.get("/api/v1/openapi.json", headers={"X-API-Key": API_KEY})
        assert "/api/v1/posts" in described.json()["paths"]
        assert client.get("/metrics").status_code == 401
        scrape = client.get("/metrics", headers={"X-API-Key": API_KEY}).text
        assert 'social_gateway_posts_total{outcome="duplicate",platform="hook"} 1.0' in scrape
        assert 'social_gateway_stored_posts{status="published"}' in scrape
    assert len(received.posts) == 1
    assert received.posts[0]["received_idempotency_key"] == "retry-0001"


def test_bad_media_paths_and_unknown_platforms_are_refused(
    make_app: MakeApp, receiver: Any, media: Path
) -> None:
    url, received = receiver
    app = make_app({"hook": webhook(url)}, media_root=media.parent)
    body = {"platform": "hook", "text": "A ferry at dawn", "media_path": str(media)}
    with TestClient(app) as client:
        nul = {**body, "media_path": str(media) + "\x00.txt"}
        assert (
            client.post("/api/v1/posts", json=nul, headers=headers("k-nul-01")).status_code == 422
        )
        outside = {**body, "media_path": "/etc/passwd"}
        answer = client.post("/api/v1/posts", json=outside, headers=headers("k-outside"))
        assert (
            answer.status_code == 422 and "must lie under the gateway's media_root" in answer.text
        )
        unknown = client.post(
            "/api/v1/posts", json={**body, "platform": "myspace"}, headers=headers("k-unknown")
        )
        assert unknown.status_code == 422 and "unknown platform 'myspace'" in unknown.text
        short = client.post("/api/v1/posts", json=body, headers=headers("short"))
        assert short.status_code == 400 and "Idempotency-Key header of 8 to 200" in short.text
        missing = client.get("/api/v1/posts/999999", headers={"X-API-Key": API_KEY})
        assert missing.status_code == 404 and missing.json() == {"detail": "no post 999999"}
    assert received.deliveries == 0


def test_concurrent_duplicates_create_one_post(
    make_app: MakeApp, receiver: Any, media: Path
) -> None:
    url, received = receiver

    class SlowWebhook(WebhookAdapter):
        def publish(self, post: Post) -> Any:
            time.sleep(0.3)  # keep the first request in flight while the others arrive
            return super().publish(post)

    slow = SlowWebhook("hook", url, SECRET, policy=NO_WAIT, limiter=RateLimiter(6000))
    body = {"platform": "hook", "text": "Concurrent", "media_path": str(media)}
    with served(make_app({"hook": slow}, media_root=media.parent)) as base:

        def post(_: int) -> httpx.Response:
            return httpx.post(
                f"{base}/api/v1/posts", json=body, headers=headers("concurrent-01"), timeout=30
            )

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(post, range(8)))
    assert sorted(a.status_code for a in answers) == [200] * 7 + [201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert {a.json()["status"] for a in answers} == {"published"}
    assert len(received.posts) == 1 and received.deliveries == 1


def test_receiver_400_is_a_permanent_failure_with_reason(make_app: MakeApp, receiver: Any) -> None:
    url, received = receiver
    received.refuse_word = "casino"
    with TestClient(make_app({"hook": webhook(url)})) as client:
        answer = client.post(
            "/api/v1/posts",
            json={"platform": "hook", "text": "Win at the casino"},
            headers=headers("refused-0001"),
        )
    post = answer.json()
    assert post["status"] == "failed"
    assert (
        post["error"] == "hook refused the post (HTTP 400): the text contains 'casino', not allowed"
    )
    assert received.deliveries == 1  # no retry of a 4xx


def test_post_left_publishing_by_a_dead_gateway_is_taken_over(
    make_app: MakeApp, receiver: Any, gateway_dsn: str
) -> None:
    url, received = receiver
    body = {"platform": "hook", "text": "Interrupted", "media_path": None}
    store = PostStore(gateway_dsn)
    app = make_app({"hook": webhook(url)}, duplicate_wait_s=1)
    # A gateway claimed this key and died before publishing: the row says "publishing".
    left, mine = store.claim("stale-0001", request_digest(body), "hook")
    assert mine
    with TestClient(app) as client:
        busy = client.post("/api/v1/posts", json=body, headers=headers("stale-0001"))
        assert busy.status_code == 409 and busy.headers["Retry-After"] == "5"
        assert busy.json()["detail"] == "still being published; retry later"
        assert received.deliveries == 0
        with psycopg.connect(gateway_dsn, autocommit=True) as conn:
            conn.execute(
                "UPDATE social_gateway.posts SET updated_at = now() - interval '1 hour' "
                "WHERE id = %s",
                (left.id,),
            )
        taken = client.post("/api/v1/posts", json=body, headers=headers("stale-0001"))
    assert taken.status_code == 201 and taken.json()["id"] == left.id
    assert taken.json()["status"] == "published" and len(received.posts) == 1


def test_unexpected_adapter_error_is_recorded_not_left_publishing(make_app: MakeApp) -> None:
    class Broken:
        name = "broken"

        def publish(self, post: Post) -> Any:
            raise KeyError("id")  # e.g. a platform answer without the expected field

    body = {"platform": "broken", "text": "x"}
    with TestClient(make_app({"broken": Broken()})) as client:
        first = client.post("/api/v1/posts", json=body, headers=headers("broken-0001"))
        again = client.post("/api/v1/posts", json=body, headers=headers("broken-0001"))
    assert first.status_code == 201 and first.json()["status"] == "failed"
    assert first.json()["error"].startswith("unexpected answer from broken (KeyError: 'id')")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_transient_failure_is_retried_by_the_next_request_with_the_key(
    make_app: MakeApp, receiver: Any
) -> None:
    url, received = receiver
    received.script.extend([503] * NO_WAIT.max_attempts)  # down for every attempt
    body = {"platform": "hook", "text": "Later"}
    with TestClient(make_app({"hook": webhook(url)})) as client:
        down = client.post("/api/v1/posts", json=body, headers=headers("transient-01"))
        assert down.json()["status"] == "failed" and down.json()["retryable"] is True
        assert "after 4 attempts (last: HTTP 503: scripted)" in down.json()["error"]
        back = client.post("/api/v1/posts", json=body, headers=headers("transient-01"))
        again = client.post("/api/v1/posts", json=body, headers=headers("transient-01"))
    assert back.json()["id"] == down.json()["id"] == again.json()["id"]
    assert back.json()["status"] == again.json()["status"] == "published"
    assert len(received.posts) == 1 and received.deliveries == 5
