"""The delivery worker: threads in the gateway process that take queued posts and publish
them, out of the request.

Each thread takes the oldest queued post (``store.take_next``: ``FOR UPDATE SKIP LOCKED``,
so threads and other gateway processes never take the same one), opens its media once,
hands it to the platform's adapter and records the outcome:

- ``published``: the platform answered with the post;
- ``failed``: refused (``retryable`` false), or unavailable for every attempt without ever
  taking it (``retryable`` true: the next request with the key queues it again);
- ``unknown``: the request went out and no answer came, or the adapter broke on the answer;
  the post may exist, so it is never sent again unless a person re-queues it.

A post left ``publishing`` longer than ``stale_after_s`` (its gateway died mid-delivery)
becomes ``unknown`` the same way. One post's failure never stops the loop: every exception
is recorded on the post, or logged when the database itself is the trouble.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path

from services.social_gateway.adapters import Adapter, Post
from services.social_gateway.delivery import OutcomeUnknown, PermanentFailure, TransientFailure
from services.social_gateway.media import read_media
from services.social_gateway.metrics import GatewayMetrics
from services.social_gateway.store import PostStore, StoredPost

log = logging.getLogger(__name__)


class DeliveryWorker:
    def __init__(
        self,
        store: PostStore,
        adapters: Mapping[str, Adapter],
        metrics: GatewayMetrics,
        *,
        media_root: Path | None,
        concurrency: int,
        poll_s: float,
        stale_after_s: float,
    ) -> None:
        self.store, self.adapters, self.metrics = store, adapters, metrics
        self.media_root = media_root
        self.concurrency, self.poll_s, self.stale_after_s = concurrency, poll_s, stale_after_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the threads (none with concurrency 0: this process only takes requests)."""
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self._loop, name=f"social-gateway-worker-{n}", daemon=True)
            for n in range(self.concurrency)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout_s: float = 60.0) -> None:
        """Stop taking posts; a delivery in flight is finished (bounded by its timeouts)."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=timeout_s)
        self._threads = []

    def wake(self) -> None:
        """A post was queued: look now instead of at the next poll."""
        self._wake.set()

    def run_once(self) -> StoredPost | None:
        """Take and deliver one queued post; None when the queue is empty."""
        post = self.store.take_next()
        return self.deliver(post) if post else None

    def sweep_stale(self) -> list[StoredPost]:
        """Posts a dead gateway left ``publishing``: now ``unknown``, never re-sent."""
        stale = self.store.mark_stale_unknown(self.stale_after_s)
        for post in stale:
            log.warning("post %s was left publishing; its outcome is unknown", post.id)
            self.metrics.published.labels(post.platform, "unknown").inc()
        return stale

    def deliver(self, post: StoredPost) -> StoredPost:
        """Publish a post this worker took; the post as recorded afterwards."""
        adapter = self.adapters.get(post.platform)
        try:
            if adapter is None:
                raise PermanentFailure(f"platform {post.platform!r} is no longer configured")
            media = read_media(self.media_root, post.media_path) if post.media_path else None
            delivery = adapter.publish(
                Post(post.platform, post.text or "", post.idempotency_key, media)
            )
        except PermanentFailure as exc:
            return self._finish(post, "failed", error=str(exc))
        except TransientFailure as exc:
            return self._finish(post, "failed", error=str(exc), retryable=True)
        except OutcomeUnknown as exc:
            return self._finish(post, "unknown", error=str(exc))
        except Exception as exc:
            # An answer the adapter did not expect: the post may or may not exist.
            log.exception("post %s: unexpected error from %s", post.id, post.platform)
            reason = (
                f"unexpected answer from {post.platform} ({type(exc).__name__}: {exc}); "
                "the post may exist: check the platform, then confirm or re-queue it"
            )
            return self._finish(post, "unknown", error=reason)
        return self._finish(
            post, "published", external_id=delivery.external_id, url=delivery.url,
            attempts=delivery.attempts,
        )  # fmt: skip

    def _finish(self, post: StoredPost, status: str, **outcome: object) -> StoredPost:
        self.metrics.published.labels(post.platform, status).inc()
        return self.store.finish(post.id, status=status, **outcome)  # type: ignore[arg-type]

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once() is not None
                if not busy:
                    self.sweep_stale()
            except Exception:
                # The database is down or the pool is exhausted: wait and try again.
                log.exception("the delivery worker could not take or record a post")
                busy = False
            if not busy:
                self._wake.wait(self.poll_s)
                self._wake.clear()
