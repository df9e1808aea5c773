"""The platform adapters: the signed webhook against the real HMAC-verifying receiver, and
Discord and Mastodon against local stand-ins of their documented endpoints
(platform_standins.py); the per-platform rate limit."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from gateway_testlib import NO_WAIT, SECRET, served
from platform_standins import discord_standin, mastodon_standin

from services.social_gateway.adapters import DiscordAdapter, MastodonAdapter, Post, WebhookAdapter
from services.social_gateway.delivery import PermanentFailure
from services.social_gateway.media import MediaFile, read_media
from services.social_gateway.ratelimit import RateLimiter


def opened(media: Path) -> MediaFile:
    return read_media(media.parent, str(media))


def webhook(url: str, secret: str = SECRET) -> WebhookAdapter:
    return WebhookAdapter("hook", url, secret, policy=NO_WAIT, limiter=RateLimiter(6000))


def test_rate_limiter_spaces_requests() -> None:
    now = [100.0]
    waits: list[float] = []
    limiter = RateLimiter(per_minute=30, clock=lambda: now[0], sleep=waits.append)
    assert [limiter.acquire() for _ in range(3)] == [0.0, 2.0, 4.0]
    limiter.defer(10)
    assert limiter.acquire() == 10.0


@pytest.mark.slow
def test_webhook_receiver_verifies_signature(receiver: Any, media: Path) -> None:
    url, received = receiver
    delivery = webhook(url).publish(Post("hook", "hello", "key-00000001", opened(media)))
    assert delivery.external_id == "1"
    assert received.posts[0]["media"]["sha256"] == hashlib.sha256(media.read_bytes()).hexdigest()
    with pytest.raises(PermanentFailure, match=r"HTTP 401.*signature does not match"):
        webhook(url, "another-secret-" + "x" * 20).publish(Post("hook", "x", "key-00000002"))
    assert len(received.posts) == 1 and received.rejected == ["bad signature"]

    listing = httpx.get(url.rsplit("/", 1)[0] + "/posts", timeout=5).json()
    assert listing["deliveries"] == 1 and [p["text"] for p in listing["posts"]] == ["hello"]
    assert listing["rejected"] == ["bad signature"]
    assert httpx.get(url, timeout=5).status_code == 404  # only /posts is served


@pytest.mark.slow
def test_webhook_retries_5xx_and_429_then_succeeds(receiver: Any) -> None:
    url, received = receiver
    received.script.extend([503, 429])
    delivery = webhook(url).publish(Post("hook", "third time lucky", "key-00000003"))
    assert delivery.attempts == 3 and len(received.posts) == 1


@pytest.mark.slow
def test_discord_adapter_against_standin(media: Path) -> None:
    app, messages = discord_standin()
    with served(app) as base:
        adapter = DiscordAdapter("discord", f"{base}/api/webhooks/1/hook-token", policy=NO_WAIT)
        delivery = adapter.publish(Post("discord", "Harbour at dusk", "d-00000001", opened(media)))
        bad = DiscordAdapter("discord", f"{base}/api/webhooks/1/wrong", policy=NO_WAIT)
        with pytest.raises(PermanentFailure, match=r"HTTP 401.*Invalid Webhook Token"):
            bad.publish(Post("discord", "x", "d-00000002"))
    assert delivery.external_id == "1000"
    assert delivery.url == "https://discord.com/channels/@me/42/1000"
    assert messages[0]["attachments"] == [{"filename": "clip.mp4", "size": media.stat().st_size}]


@pytest.mark.slow
def test_mastodon_adapter_against_standin(media: Path) -> None:
    app, state = mastodon_standin()
    with served(app) as base:
        adapter = MastodonAdapter("mastodon", base, "masto-token", policy=NO_WAIT)
        first = adapter.publish(Post("mastodon", "Tram ride", "m-00000001", opened(media)))
        again = adapter.publish(Post("mastodon", "Tram ride", "m-00000001", opened(media)))
        with pytest.raises(PermanentFailure, match="500 characters"):
            adapter.publish(Post("mastodon", "x" * 501, "m-00000002"))
        wrong = MastodonAdapter("mastodon", base, "stolen", policy=NO_WAIT)
        with pytest.raises(PermanentFailure, match=r"HTTP 401.*access token is invalid"):
            wrong.publish(Post("mastodon", "x", "m-00000003"))
    assert first.external_id == again.external_id == "110000"
    assert len(state["statuses"]) == 1 and state["polls"] >= 1
    assert state["statuses"][0]["media_attachments"] == [
        {"size": media.stat().st_size, "name": "clip.mp4"}
    ]
