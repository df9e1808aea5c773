"""Only what is safe is retried: a platform without an idempotency mechanism (Discord's
stand-in) that makes the post but whose answer never arrives (a read timeout) gets exactly
one request; the post is ``unknown`` until a person confirms or re-queues it, and neither a
duplicate request nor a restarted gateway sends it again."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from gateway_testlib import API_KEY, NO_WAIT, headers, outcome, served
from platform_standins import discord_standin

from services.social_gateway.adapters import DiscordAdapter

pytestmark = pytest.mark.slow
KEY = {"X-API-Key": API_KEY}


def discord(base: str) -> DiscordAdapter:
    # A short read timeout, so the stand-in's slow answer times out in the test.
    client = httpx.Client(timeout=httpx.Timeout(5.0, read=0.5))
    return DiscordAdapter("discord", f"{base}/api/webhooks/1/hook-token", client=client,
                          policy=NO_WAIT)  # fmt: skip


def test_read_timeout_leaves_the_post_unknown_and_it_is_never_resent(
    make_app: Callable[..., Any],
) -> None:
    delays = [2.0]  # the first answer comes after the gateway stopped waiting
    standin, messages = discord_standin(delays)
    body = {"platform": "discord", "text": "Harbour at dusk"}
    with served(standin) as base:
        with TestClient(make_app({"discord": discord(base)})) as client:
            queued = client.post("/api/v1/posts", json=body, headers=headers("unknown-0001"))
            location = queued.headers["Location"]
            post = outcome(client, location)
            assert post["status"] == "unknown", post
            assert "did not answer after the request was sent (ReadTimeout" in post["error"]
            again = client.post("/api/v1/posts", json=body, headers=headers("unknown-0001"))
            assert again.status_code == 200 and again.json()["status"] == "unknown"
            scrape = client.get("/metrics", headers=KEY).text
            assert 'social_gateway_posts_total{outcome="unknown",platform="discord"} 1.0' in scrape
            assert re.search(r'social_gateway_stored_posts\{status="unknown"\} [1-9]', scrape)
        # A restarted gateway (a new process over the same database) leaves it alone.
        with TestClient(make_app({"discord": discord(base)})) as client:
            client.post("/api/v1/posts", json=body, headers=headers("unknown-0001"))
            assert client.get(location, headers=KEY).json()["status"] == "unknown"
            # A person found no such message on Discord and re-queues it.
            retried = client.post(f"{location}/retry", headers=KEY)
            assert retried.status_code == 202 and retried.headers["Location"] == location
            published = outcome(client, location)
            refused = client.post(f"{location}/retry", headers=KEY)
    assert len(messages) == 2  # one per send: the original and the person's re-queue
    assert published["status"] == "published" and published["external_id"] == "1001"
    assert refused.status_code == 409
    assert refused.json()["detail"].endswith(
        "is published; retry applies to failed or unknown posts that hold their text"
    )


def test_a_person_confirms_an_unknown_post(make_app: Callable[..., Any]) -> None:
    standin, messages = discord_standin([2.0])
    body = {"platform": "discord", "text": "Tram ride"}
    with served(standin) as base, TestClient(make_app({"discord": discord(base)})) as client:
        queued = client.post("/api/v1/posts", json=body, headers=headers("unknown-0002"))
        location = queued.headers["Location"]
        assert outcome(client, location)["status"] == "unknown"
        found = {"external_id": messages[0]["id"], "url": "https://discord.example/m/1000"}
        confirmed = client.post(f"{location}/confirm", json=found, headers=KEY)
        twice = client.post(f"{location}/confirm", json=found, headers=KEY)
        missing = client.post("/api/v1/posts/999999/confirm", json=found, headers=KEY)
    assert confirmed.status_code == 200
    assert (confirmed.json()["status"], confirmed.json()["external_id"]) == ("published", "1000")
    assert twice.status_code == 409 and missing.status_code == 404
    assert len(messages) == 1
