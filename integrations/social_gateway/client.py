"""A small client of the social gateway, for the pipeline, its CLI and notebooks.

``publish`` queues the post (``POST /api/v1/posts``; the gateway answers 202, or 200 with
the key's earlier post) and then polls the post's status resource until it is ``published``,
``failed`` or ``unknown``, or the wait is over (the post is returned ``queued`` or
``publishing`` then: ask again later with the same key). ``unknown`` means the platform may
have the post: callers must report it as such, and never send it again themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

# The states after which a post does not change without a person (or a new request).
FINAL_STATES = ("published", "failed", "unknown")


class GatewayError(RuntimeError):
    """The gateway could not be reached or refused the request; the message says why.
    ``retryable``: nothing is wrong with the request, try again later (unreachable, busy)."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class GatewayClient:
    base_url: str
    api_key: str
    timeout_s: float = 30.0  # one HTTP request
    wait_s: float = 120.0  # how long publish polls for a final state
    first_poll_s: float = 0.2  # then 1.5 times longer each poll, up to max_poll_s
    max_poll_s: float = 5.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    def publish(
        self, *, platform: str, text: str, idempotency_key: str, media_path: str | None = None
    ) -> dict[str, Any]:
        """The post of this key once it is final (``status`` published, failed or unknown),
        or as it stands when ``wait_s`` is over (queued or publishing)."""
        body = {"platform": platform, "text": text, "media_path": media_path}
        headers = {"Idempotency-Key": idempotency_key}
        response = self._request("POST", "/api/v1/posts", json=body, headers=headers)
        if response.status_code not in (200, 202):
            raise self._refused(response)
        post = dict(response.json())
        location = response.headers.get("Location") or f"/api/v1/posts/{post['id']}"
        return self.wait_for(location, post)

    def wait_for(self, location: str, post: dict[str, Any]) -> dict[str, Any]:
        """Poll ``location`` (a post's status resource) until the post is final or the wait
        is over; backs off from ``first_poll_s`` to ``max_poll_s``."""
        deadline = time.monotonic() + self.wait_s
        interval = self.first_poll_s
        while post["status"] not in FINAL_STATES and time.monotonic() < deadline:
            self.sleep(min(interval, max(deadline - time.monotonic(), 0.0)))
            interval = min(interval * 1.5, self.max_poll_s)
            response = self._request("GET", location)
            if response.status_code != 200:
                raise self._refused(response)
            post = dict(response.json())
        return post

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"X-API-Key": self.api_key, **kwargs.pop("headers", {})}
        try:
            return httpx.request(
                method, f"{self.base_url.rstrip('/')}{path}", headers=headers,
                timeout=self.timeout_s, **kwargs,
            )  # fmt: skip
        except httpx.HTTPError as exc:
            raise GatewayError(
                f"social gateway at {self.base_url} unreachable: {exc}", retryable=True
            ) from exc

    @staticmethod
    def _refused(response: httpx.Response) -> GatewayError:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        code = response.status_code
        return GatewayError(
            f"social gateway refused the request (HTTP {code}): {detail}",
            retryable=code == 429 or code >= 500,
        )
