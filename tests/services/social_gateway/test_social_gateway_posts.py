"""The posting API (POST/GET /api/v1/posts) against real PostgreSQL and the real
HMAC-verifying webhook receiver: a post is queued once per idempotency key (202 and a
status resource), the worker delivers it out of the request, and nothing is published twice
whatever the client repeats, however many workers run, or when the platform answers badly;
plus the health and metrics routes seen by a client."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from gateway_testlib import API_KEY, NO_WAIT, SECRET, headers, outcome, served

from services.social_gateway.adapters import Delivery, Post, WebhookAdapter
from services.social_gateway.delivery import PermanentFailure
from services.social_gateway.ratelimit import RateLimiter
from services.social_gateway.store import PostStore, request_digest

pytestmark = pytest.mark.slow
MakeApp = Callable[..., Any]
KEY = {"X-API-Key": API_KEY}


def webhook(url: str) -> WebhookAdapter:
    return WebhookAdapter("hook", url, SECRET, policy=NO_WAIT, limiter=RateLimiter(6000))


class Recording:
    """An in-process platform that records what it is asked to publish."""

    name = "rec"

    def __init__(self, delay_s: float = 0.0) -> None:
        self.published: list[str] = []
        self.delay_s = delay_s
        self._lock = threading.Lock()

    def publish(self, post: Post) -> Delivery:
        time.sleep(self.delay_s)
        with self._lock:
            self.published.append(post.idempotency_key)
            return Delivery(str(len(self.published)))


def test_post_is_queued_with_a_status_resource_then_published_once(
    make_app: MakeApp, receiver: Any, media: Path
) -> None:
    url, received = receiver
    app = make_app({"hook": webhook(url)}, media_root=media.parent)
    body = {"platform": "hook", "text": "A ferry at dawn", "media_path": str(media)}
    with TestClient(app) as client:
        nokey = client.post("/api/v1/posts", json=body)
        assert nokey.status_code == 401, nokey.text
        wrong = {**headers("retry-0001"), "X-API-Key": "nope"}
        assert client.post("/api/v1/posts", json=body, headers=wrong).status_code == 401
        first = client.post("/api/v1/posts", json=body, headers=headers("retry-0001"))
        assert first.status_code == 202, first.text
        location = first.headers["Location"]
        assert location == f"/api/v1/posts/{first.json()['id']}"
        assert first.json()["status"] in ("queued", "publishing", "published")
        done = outcome(client, location)
        assert done["status"] == "published" and done["external_id"] == "1"
        assert done["url"] == received.posts[0]["url"]
        again = client.post("/api/v1/posts", json=body, headers=headers("retry-0001"))
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
        assert again.headers["Location"] == location
        other = {**body, "text": "something else"}
        clash = client.post("/api/v1/posts", json=other, headers=headers("retry-0001"))
        assert clash.status_code == 422 and "different request body" in clash.text
        for path in (location, f"{location}/retry", f"{location}/confirm"):
            method = client.get if path == location else client.post
            assert method(path).status_code == 401, path
        assert client.get("/health").json() == {"status": "ok"}  # no key: no details
        detailed = client.get("/health", headers=KEY).json()
        assert detailed == {"status": "ok", "database": "ok", "platforms": ["hook"]}
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert client.get(path).status_code == 404, path
        assert client.get("/api/v1/openapi.json").status_code == 401
        described = client.get("/api/v1/openapi.json", headers=KEY).json()
        create = described["paths"]["/api/v1/posts"]["post"]["responses"]
        assert {"200", "202"} <= set(create) and "201" not in create
        assert "Location" in create["202"]["headers"]
        assert client.get("/metrics").status_code == 401
        scrape = client.get("/metrics", headers=KEY).text
        assert 'social_gateway_posts_total{outcome="duplicate",platform="hook"} 1.0' in scrape
        assert 'social_gateway_posts_total{outcome="published",platform="hook"} 1.0' in scrape
        assert 'social_gateway_stored_posts{status="unknown"}' in scrape
        # Prometheus sends its credential as a Bearer token.
        bearer = client.get("/metrics", headers={"Authorization": f"Bearer {API_KEY}"})
        assert bearer.status_code == 200 and "social_gateway_posts_total" in bearer.text
        wrong_bearer = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong_bearer.status_code == 401
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
        missing = client.get("/api/v1/posts/999999", headers=KEY)
        assert missing.status_code == 404 and missing.json() == {"detail": "no post 999999"}
    assert received.deliveries == 0


def test_concurrent_duplicates_queue_one_post(
    make_app: MakeApp, receiver: Any, media: Path
) -> None:
    url, received = receiver

    class SlowWebhook(WebhookAdapter):
        def publish(self, post: Post) -> Any:
            time.sleep(0.3)  # keep the post in flight while the duplicates arrive
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
        with httpx.Client(base_url=base, timeout=10) as client:
            done = outcome(client, answers[0].headers["Location"])
    assert sorted(a.status_code for a in answers) == [200] * 7 + [202]
    assert len({a.json()["id"] for a in answers}) == 1
    assert done["status"] == "published"
    assert len(received.posts) == 1 and received.deliveries == 1


class Rendezvous(Recording):
    """A platform whose deliveries wait until the other gateway has taken a post too, so
    that both gateways hold posts at once however the scheduler orders their threads."""

    def __init__(self, took: threading.Event, other_took: threading.Event) -> None:
        super().__init__(delay_s=0.05)
        self.took, self.other_took = took, other_took

    def publish(self, post: Post) -> Delivery:
        self.took.set()
        if not self.other_took.wait(timeout=20):
            raise TimeoutError("the other gateway took no post within 20 s")
        return super().publish(post)


def test_two_gateways_workers_never_take_the_same_post(make_app: MakeApp) -> None:
    """Two gateway processes (apps) with several worker threads each over one database:
    FOR UPDATE SKIP LOCKED gives every queued post to exactly one of them."""
    took_a, took_b = threading.Event(), threading.Event()
    first, second = Rendezvous(took_a, took_b), Rendezvous(took_b, took_a)
    app_a = make_app({"rec": first}, worker_concurrency=3)
    app_b = make_app({"rec": second}, worker_concurrency=3)
    keys = [f"skip-locked-{n:03d}" for n in range(24)]
    with TestClient(app_a) as a, TestClient(app_b):
        locations = [
            a.post(
                "/api/v1/posts", json={"platform": "rec", "text": key}, headers=headers(key)
            ).headers["Location"]
            for key in keys
        ]
        results = [outcome(a, location) for location in locations]
    assert {r["status"] for r in results} == {"published"}
    delivered = first.published + second.published
    assert sorted(delivered) == keys  # each post once, none twice
    assert first.published and second.published  # both gateways took posts


def test_receiver_400_is_a_permanent_failure_with_reason(make_app: MakeApp, receiver: Any) -> None:
    url, received = receiver
    received.refuse_word = "casino"
    with TestClient(make_app({"hook": webhook(url)})) as client:
        answer = client.post(
            "/api/v1/posts",
            json={"platform": "hook", "text": "Win at the casino"},
            headers=headers("refused-0001"),
        )
        post = outcome(client, answer.headers["Location"])
    assert post["status"] == "failed" and post["retryable"] is False
    assert (
        post["error"] == "hook refused the post (HTTP 400): the text contains 'casino', not allowed"
    )
    assert received.deliveries == 1  # no retry of a 4xx


def test_a_failing_post_does_not_stop_the_worker(make_app: MakeApp) -> None:
    class Moody(Recording):
        def publish(self, post: Post) -> Delivery:
            if post.text == "broken answer":
                raise KeyError("id")  # e.g. a platform answer without the expected field
            if post.text == "refused":
                raise PermanentFailure("rec refused the post (HTTP 400): no")
            return super().publish(post)

    moody = Moody()
    with TestClient(make_app({"rec": moody}, worker_concurrency=1)) as client:
        locations = [
            client.post(
                "/api/v1/posts", json={"platform": "rec", "text": text}, headers=headers(key)
            ).headers["Location"]
            for text, key in (
                ("broken answer", "moody-0001"),
                ("refused", "moody-0002"),
                ("fine", "moody-0003"),
            )
        ]
        broken, refused, fine = (outcome(client, location) for location in locations)
        again = client.post(
            "/api/v1/posts",
            json={"platform": "rec", "text": "broken answer"},
            headers=headers("moody-0001"),
        )
    # The adapter broke on the answer: the post may exist, so its outcome is unknown.
    assert broken["status"] == "unknown"
    assert broken["error"].startswith("unexpected answer from rec (KeyError: 'id')")
    assert (refused["status"], fine["status"]) == ("failed", "published")
    assert moody.published == ["moody-0003"]
    assert again.status_code == 200 and again.json()["status"] == "unknown"


def test_transient_failure_is_queued_again_by_the_next_request_with_the_key(
    make_app: MakeApp, receiver: Any
) -> None:
    url, received = receiver
    received.script.extend([503] * NO_WAIT.max_attempts)  # down for every attempt
    body = {"platform": "hook", "text": "Later"}
    with TestClient(make_app({"hook": webhook(url)})) as client:
        down = client.post("/api/v1/posts", json=body, headers=headers("transient-01"))
        failed = outcome(client, down.headers["Location"])
        assert failed["status"] == "failed" and failed["retryable"] is True
        assert "after 4 attempts (last: HTTP 503: scripted)" in failed["error"]
        back = client.post("/api/v1/posts", json=body, headers=headers("transient-01"))
        assert back.status_code == 202 and back.json()["status"] in ("queued", "publishing")
        published = outcome(client, back.headers["Location"])
        again = client.post("/api/v1/posts", json=body, headers=headers("transient-01"))
    assert back.json()["id"] == down.json()["id"] == again.json()["id"]
    assert published["status"] == again.json()["status"] == "published"
    assert again.status_code == 200
    assert len(received.posts) == 1 and received.deliveries == 5


def test_a_media_file_swapped_for_a_symlink_after_the_request_is_refused(
    make_app: MakeApp, receiver: Any, media: Path, tmp_path: Path
) -> None:
    url, received = receiver
    secret = tmp_path / "secret.mp4"
    secret.write_bytes(b"not for the platform")
    # No worker threads: the test delivers when the swap has happened.
    app = make_app({"hook": webhook(url)}, media_root=media.parent, worker_concurrency=0)
    swapped = media.parent / "swapped.mp4"
    swapped.write_bytes(b"a clip")
    with TestClient(app) as client:
        body = {"platform": "hook", "text": "Swapped", "media_path": str(swapped)}
        queued = client.post("/api/v1/posts", json=body, headers=headers("swap-00001"))
        assert queued.status_code == 202
        swapped.unlink()
        swapped.symlink_to(secret)  # the clips directory is writable by others
        refused = app.state.worker.run_once()
        good = {"platform": "hook", "text": "Regular", "media_path": str(media)}
        client.post("/api/v1/posts", json=good, headers=headers("swap-00002"))
        uploaded = app.state.worker.run_once()
    assert refused.status == "failed" and not refused.retryable
    assert f"media file {swapped} refused" in refused.error
    assert uploaded.status == "published"
    assert [p["text"] for p in received.posts] == ["Regular"]
    assert received.posts[0]["media"]["sha256"] == hashlib.sha256(media.read_bytes()).hexdigest()


def test_post_left_publishing_by_a_dead_gateway_becomes_unknown_never_resent(
    make_app: MakeApp, gateway_dsn: str
) -> None:
    rec = Recording()
    body = {"platform": "rec", "text": "Interrupted", "media_path": None}
    # A gateway took this post and died mid-delivery: the row says "publishing".
    store = PostStore(gateway_dsn)
    left, mine = store.claim("stale-0001", request_digest(body), "rec", "Interrupted", None)
    assert mine and store.take_next() == store.get(left.id)
    store.close()
    with TestClient(make_app({"rec": rec}, stale_after_s=3600)) as client:
        busy = client.post("/api/v1/posts", json=body, headers=headers("stale-0001"))
        assert busy.status_code == 200 and busy.json()["status"] == "publishing"
        with psycopg.connect(gateway_dsn, autocommit=True) as conn:
            conn.execute(
                "UPDATE social_gateway.posts SET updated_at = now() - interval '2 hours' "
                "WHERE id = %s",
                (left.id,),
            )
        post = outcome(client, busy.headers["Location"])
        again = client.post("/api/v1/posts", json=body, headers=headers("stale-0001"))
        time.sleep(0.3)  # a few worker polls
        still = client.get(busy.headers["Location"], headers=KEY).json()
    assert post["status"] == "unknown" and "stopped while publishing" in post["error"]
    assert again.status_code == 200 and still["status"] == "unknown"
    assert rec.published == []  # never sent again without a person
