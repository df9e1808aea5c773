"""Publish once per idempotency key: what ``POST /api/v1/posts`` does, apart from HTTP.

The first request with a key creates the post row (a unique constraint in PostgreSQL) and
publishes; a retried or concurrent duplicate gets that same post back, waiting for it while
it is being published; the same key with a different body is refused. A post that failed
only transiently (``retryable``: 429/5xx/network after every retry) is tried again by the next
request with its key, and a post left ``publishing`` by a gateway that died is taken over
once it is stale.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from services.social_gateway.adapters import Adapter, Post
from services.social_gateway.delivery import PermanentFailure, TransientFailure
from services.social_gateway.errors import (
    BadIdempotencyKey,
    BadMediaPath,
    IdempotencyKeyReused,
    StillPublishing,
    UnknownPlatform,
)
from services.social_gateway.metrics import GatewayMetrics
from services.social_gateway.schemas import PostRequest
from services.social_gateway.store import PostStore, StoredPost, request_digest


@dataclass(frozen=True)
class Outcome:
    post: StoredPost
    created: bool  # this request published (or tried to); False: an earlier post came back


class Publisher:
    def __init__(
        self,
        store: PostStore,
        adapters: Mapping[str, Adapter],
        metrics: GatewayMetrics,
        *,
        media_root: Path | None,
        duplicate_wait_s: float,
        stale_after_s: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store, self.adapters, self.metrics = store, adapters, metrics
        self.media_root = media_root.resolve() if media_root else None
        self.duplicate_wait_s, self.stale_after_s = duplicate_wait_s, stale_after_s
        self._sleep = sleep

    def publish(self, request: PostRequest, idempotency_key: str | None) -> Outcome:
        """The post of this key: published now, or the earlier one (errors.* when refused)."""
        if not idempotency_key or not 8 <= len(idempotency_key) <= 200:
            raise BadIdempotencyKey()
        adapter = self.adapters.get(request.platform)
        if adapter is None:
            raise UnknownPlatform(request.platform, list(self.adapters))
        media_path = self._media(request.media_path)
        digest = request_digest(request.model_dump())
        post, mine = self.store.claim(idempotency_key, digest, request.platform)
        if not mine:
            if post.request_sha256 != digest:
                raise IdempotencyKeyReused()
            post = self._wait_for(post)
            taken = self._take_over(post)
            if taken is None:
                return self._duplicate(request.platform, post)
            post = taken
        item = Post(request.platform, request.text, idempotency_key, media_path)
        return Outcome(self._deliver(adapter, post, item), created=True)

    def _media(self, path: str | None) -> Path | None:
        if path is None:
            return None
        if "\x00" in path:
            raise BadMediaPath("media_path must not contain NUL characters")
        resolved = Path(path).resolve()
        if self.media_root is None or not resolved.is_relative_to(self.media_root):
            raise BadMediaPath(
                f"media_path must lie under the gateway's media_root ({self.media_root})"
            )
        return resolved

    def _wait_for(self, post: StoredPost) -> StoredPost:
        deadline = time.monotonic() + self.duplicate_wait_s
        while post.status == "publishing" and time.monotonic() < deadline:
            self._sleep(0.1)
            post = self.store.get(post.id) or post
        return post

    def _take_over(self, post: StoredPost) -> StoredPost | None:
        """The post back in this request's hands when its publishing died or failed
        transiently; None when it stands as it is (or another request took it first)."""
        if post.status == "publishing":
            return self.store.reclaim_stale(post.id, self.stale_after_s)
        if post.status == "failed" and post.retryable:
            return self.store.reclaim_retryable(post.id)
        return None

    def _duplicate(self, platform: str, post: StoredPost) -> Outcome:
        self.metrics.published.labels(platform, "duplicate").inc()
        if post.status == "publishing":
            raise StillPublishing(post)
        return Outcome(post, created=False)

    def _deliver(self, adapter: Adapter, post: StoredPost, item: Post) -> StoredPost:
        try:
            delivery = adapter.publish(item)
        except (PermanentFailure, TransientFailure) as exc:
            retryable = isinstance(exc, TransientFailure)
            post = self.store.finish(post.id, status="failed", error=str(exc), retryable=retryable)
            self.metrics.published.labels(item.platform, "failed").inc()
            return post
        except Exception as exc:
            # An answer the adapter did not expect: record it rather than leave the key
            # "publishing" until it goes stale; the post may or may not exist on the platform.
            reason = f"unexpected answer from {item.platform} ({type(exc).__name__}: {exc}); "
            post = self.store.finish(
                post.id, status="failed", error=reason + "check the platform before re-posting"
            )
            self.metrics.published.labels(item.platform, "failed").inc()
            return post
        post = self.store.finish(
            post.id,
            status="published",
            external_id=delivery.external_id,
            url=delivery.url,
            attempts=delivery.attempts,
        )
        self.metrics.published.labels(item.platform, "published").inc()
        return post
