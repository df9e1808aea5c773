"""Platform adapters behind one interface: a signed webhook, Discord webhooks, Mastodon.

Each adapter turns a :class:`Post` into one HTTP exchange (two for Mastodon: media upload,
then the status) through :func:`services.social_gateway.delivery.send`, which applies the
platform's rate limit and retries 429/5xx. A permanent refusal raises
:class:`PermanentFailure` with the platform's own reason; a request that went out without an
answer raises :class:`OutcomeUnknown` unless the platform de-duplicates it.

Which requests are safe to send twice: Mastodon's status POST (Mastodon honours
``Idempotency-Key``) and its media upload (a second upload is an unattached file, not a
post). Discord has no idempotency mechanism; a webhook receiver gets the key but the gateway
cannot know whether it honours it, so neither is re-sent after a lost answer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from services.social_gateway.delivery import PermanentFailure, RetryPolicy, send
from services.social_gateway.media import MediaFile
from services.social_gateway.ratelimit import RateLimiter

if TYPE_CHECKING:
    from services.social_gateway.config import PlatformSettings

SIGNATURE_HEADER = "X-Signature-SHA256"
TIMESTAMP_HEADER = "X-Signature-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Post:
    """What to publish: text, the media file's bytes (opened once), the idempotency key."""

    platform: str
    text: str
    idempotency_key: str
    media: MediaFile | None = None


@dataclass(frozen=True)
class Delivery:
    """Where the post landed."""

    external_id: str
    url: str | None = None
    attempts: int = 1


class Adapter(Protocol):
    name: str

    def publish(self, post: Post) -> Delivery: ...


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``timestamp.body``, hex: what the webhook receiver recomputes."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Constant-time check of a webhook signature (for receivers, and the tests' receiver)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def _upload(media: MediaFile | None) -> tuple[str, bytes, str] | None:
    """The media as httpx's (name, bytes, content type) file tuple."""
    return (media.name, media.data, media.content_type) if media else None


class HttpAdapter:
    """What the adapters share: a name, an HTTP client, a rate limit and a retry policy."""

    def __init__(
        self,
        name: str,
        *,
        client: httpx.Client | None = None,
        limiter: RateLimiter | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.name = name
        self._owns_client = client is None
        self._client = client or httpx.Client(timeout=30.0)
        self._limiter = limiter or RateLimiter(per_minute=60)
        self._policy = policy or RetryPolicy()

    def publish(self, post: Post) -> Delivery:
        raise NotImplementedError

    def close(self) -> None:
        """Close the HTTP client this adapter made (a client given to it stays open)."""
        if self._owns_client:
            self._client.close()

    def _send(
        self, method: str, url: str, *, idempotent: bool, **kwargs: object
    ) -> tuple[httpx.Response, int]:
        return send(
            self._client, method, url, limiter=self._limiter, policy=self._policy,
            platform=self.name, idempotent=idempotent, **kwargs,
        )  # fmt: skip


class WebhookAdapter(HttpAdapter):
    """POST JSON to a receiver, signed with HMAC-SHA256 over timestamp and body.

    The body carries the text and the media file's name, size and SHA-256 (the bytes are not
    sent: receivers fetch them from ``media_url_base`` when one is set). The receiver answers
    2xx with JSON ``{"id": ..., "url": ...}``.
    """

    def __init__(self, name: str, url: str, secret: str, *, media_url_base: str = "", **kw: object):
        if len(secret) < 16:
            raise ValueError(f"platform {name!r}: the webhook secret needs at least 16 characters")
        super().__init__(name, **kw)  # type: ignore[arg-type]
        self.url, self._secret, self._media_url_base = url, secret, media_url_base.rstrip("/")

    def publish(self, post: Post) -> Delivery:
        payload: dict[str, object] = {"text": post.text, "idempotency_key": post.idempotency_key}
        media = post.media
        if media:
            base = self._media_url_base
            payload["media"] = {
                "name": media.name,
                "size": len(media.data),
                "sha256": hashlib.sha256(media.data).hexdigest(),
                "content_type": media.content_type,
                "url": f"{base}/{media.name}" if base else None,
            }
        body = json.dumps(payload, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self._secret, timestamp, body),
            TIMESTAMP_HEADER: timestamp,
            IDEMPOTENCY_HEADER: post.idempotency_key,
        }
        # The receiver gets the key, but whether it honours it is unknown: not idempotent.
        response, attempts = self._send(
            "POST", self.url, idempotent=False, content=body, headers=headers
        )
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        external = str(answer.get("id") or response.headers.get("X-Request-Id") or "")
        if not external:
            raise PermanentFailure(f"{self.name}: receiver accepted the post but returned no id")
        return Delivery(external, answer.get("url"), attempts)


class DiscordAdapter(HttpAdapter):
    """Discord "Execute Webhook": ``POST {webhook_url}?wait=true``, multipart with
    ``payload_json`` and ``files[0]``; the answer is the created message object."""

    def __init__(self, name: str, webhook_url: str, **kw: object) -> None:
        super().__init__(name, **kw)  # type: ignore[arg-type]
        self.webhook_url = webhook_url

    def publish(self, post: Post) -> Delivery:
        if len(post.text) > 2000:
            raise PermanentFailure("Discord messages are limited to 2000 characters")
        payload = {"content": post.text, "allowed_mentions": {"parse": []}}
        media = _upload(post.media)
        files = {"files[0]": media} if media else None
        response, attempts = self._send(
            "POST",
            self.webhook_url,
            idempotent=False,  # Discord has no idempotency key: a lost answer is "unknown"
            params={"wait": "true"},
            data={"payload_json": json.dumps(payload)},
            files=files,
        )
        message = response.json()
        channel = message.get("channel_id")
        url = f"https://discord.com/channels/@me/{channel}/{message['id']}" if channel else None
        return Delivery(str(message["id"]), url, attempts)


class MastodonAdapter(HttpAdapter):
    """Mastodon: ``POST /api/v2/media`` (then poll ``GET /api/v1/media/:id`` while it answers
    206 / ``url`` is null), then ``POST /api/v1/statuses`` with ``media_ids[]`` and the
    ``Idempotency-Key`` header, which Mastodon itself honours."""

    def __init__(self, name: str, base_url: str, access_token: str, **kw: object) -> None:
        if not access_token:
            raise ValueError(f"platform {name!r}: a Mastodon access token is required")
        super().__init__(name, **kw)  # type: ignore[arg-type]
        self.base_url = base_url.rstrip("/")
        self._auth = {"Authorization": f"Bearer {access_token}"}

    def publish(self, post: Post) -> Delivery:
        if len(post.text) > 500:
            raise PermanentFailure("Mastodon statuses are limited to 500 characters")
        attempts = 0
        media_ids: list[str] = []
        media = _upload(post.media)
        if media:
            response, n = self._send(
                "POST", f"{self.base_url}/api/v2/media", idempotent=True,
                headers=self._auth, files={"file": media},
            )  # fmt: skip
            attempts += n
            media_id = str(response.json()["id"])
            for _ in range(60):
                if response.status_code != 202 and response.json().get("url"):
                    break
                time.sleep(0.5)
                response, _ = self._send(
                    "GET", f"{self.base_url}/api/v1/media/{media_id}", idempotent=True,
                    headers=self._auth,
                )  # fmt: skip
            media_ids.append(media_id)
        response, n = self._send(
            "POST",
            f"{self.base_url}/api/v1/statuses",
            idempotent=True,  # Mastodon de-duplicates on Idempotency-Key
            headers={**self._auth, IDEMPOTENCY_HEADER: post.idempotency_key},
            data={"status": post.text, "media_ids[]": media_ids, "visibility": "public"},
        )
        status = response.json()
        return Delivery(str(status["id"]), status.get("url"), attempts + n)


def build_adapter(platform: PlatformSettings, client: httpx.Client | None = None) -> HttpAdapter:
    """The adapter of a configured platform, with its rate limit and retry policy."""
    common: dict[str, Any] = {
        "client": client,
        "limiter": RateLimiter(per_minute=platform.per_minute),
        "policy": RetryPolicy(max_attempts=platform.max_attempts),
    }
    if platform.kind == "webhook":
        return WebhookAdapter(platform.name, platform.url, platform.secret, **common)
    if platform.kind == "discord":
        return DiscordAdapter(platform.name, platform.endpoint, **common)
    return MastodonAdapter(platform.name, platform.url, platform.secret, **common)
