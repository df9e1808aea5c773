"""What the posting routes do, apart from HTTP: queue a post once per idempotency key, and
the two actions a person takes on a post the gateway will not decide alone.

The first request with a key creates the post row, ``queued`` (a unique constraint in
PostgreSQL), and the delivery worker (worker.py) publishes it; a retried or concurrent
duplicate gets that same post back, in whatever state it is; the same key with a different
body is refused. A post that failed only transiently (``retryable``: the platform never took
it) is queued again by the next request with its key. A post whose outcome is ``unknown``
(the request went out, no answer came) is never re-sent by a request: a person checks the
platform and either confirms it or re-queues it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from services.social_gateway.adapters import Adapter
from services.social_gateway.errors import (
    BadIdempotencyKey,
    IdempotencyKeyReused,
    PostNotFound,
    UnknownPlatform,
    WrongPostState,
)
from services.social_gateway.media import check_media_path
from services.social_gateway.metrics import GatewayMetrics
from services.social_gateway.schemas import PostRequest
from services.social_gateway.store import PostStore, StoredPost, request_digest


@dataclass(frozen=True)
class Outcome:
    post: StoredPost
    queued: bool  # this request queued the post; False: an earlier post came back as it is


class Publisher:
    def __init__(
        self,
        store: PostStore,
        adapters: Mapping[str, Adapter],
        metrics: GatewayMetrics,
        *,
        media_root: Path | None,
        wake_worker: Callable[[], None] = lambda: None,
    ) -> None:
        self.store, self.adapters, self.metrics = store, adapters, metrics
        self.media_root = media_root
        self._wake_worker = wake_worker

    def submit(self, request: PostRequest, idempotency_key: str | None) -> Outcome:
        """The post of this key: queued now, or the earlier one (errors.* when refused)."""
        if not idempotency_key or not 8 <= len(idempotency_key) <= 200:
            raise BadIdempotencyKey()
        if request.platform not in self.adapters:
            raise UnknownPlatform(request.platform, list(self.adapters))
        media_path = (
            check_media_path(self.media_root, request.media_path) if request.media_path else None
        )
        digest = request_digest(request.model_dump())
        post, mine = self.store.claim(
            idempotency_key, digest, request.platform, request.text, media_path
        )
        if not mine:
            if post.request_sha256 != digest:
                raise IdempotencyKeyReused()
            again = (
                self.store.requeue_retryable(post.id, request.text, media_path)
                if post.status == "failed" and post.retryable
                else None
            )
            if again is None:
                self.metrics.published.labels(request.platform, "duplicate").inc()
                return Outcome(post, queued=False)
            post = again
        self._wake_worker()
        return Outcome(post, queued=True)

    def retry(self, post_id: int) -> StoredPost:
        """A person re-queues a failed or unknown post (after checking the platform)."""
        post = self.get(post_id)
        queued = self.store.requeue(post_id)
        if queued is None:
            # Rows from before queued delivery (migration 0003) do not hold their text.
            raise WrongPostState(post, "retry", "failed or unknown posts that hold their text")
        self._wake_worker()
        return queued

    def confirm(self, post_id: int, external_id: str | None, url: str | None) -> StoredPost:
        """A person found an unknown post on the platform: record it as published."""
        post = self.get(post_id)
        confirmed = self.store.confirm(post_id, external_id, url)
        if confirmed is None:
            raise WrongPostState(post, "confirm", "unknown posts")
        self.metrics.published.labels(post.platform, "confirmed").inc()
        return confirmed

    def get(self, post_id: int) -> StoredPost:
        """The post, or PostNotFound (404)."""
        post = self.store.get(post_id)
        if post is None:
            raise PostNotFound(post_id)
        return post
