"""A small client of the social gateway, for the pipeline and notebooks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


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
    timeout_s: float = 120.0

    def publish(
        self, *, platform: str, text: str, idempotency_key: str, media_path: str | None = None
    ) -> dict[str, Any]:
        """Publish once per key; returns the post (``status`` published or failed)."""
        body = {"platform": platform, "text": text, "media_path": media_path}
        headers = {"X-API-Key": self.api_key, "Idempotency-Key": idempotency_key}
        for _ in range(2):  # a 409 comes after the gateway waited for the first request
            try:
                response = httpx.post(
                    f"{self.base_url.rstrip('/')}/api/v1/posts",
                    json=body, headers=headers, timeout=self.timeout_s,
                )  # fmt: skip
            except httpx.HTTPError as exc:
                raise GatewayError(
                    f"social gateway at {self.base_url} unreachable: {exc}", retryable=True
                ) from exc
            if response.status_code != 409:  # the same key is still being published
                break
        if response.status_code in (200, 201):
            return dict(response.json())
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        code = response.status_code
        raise GatewayError(
            f"social gateway refused the post (HTTP {code}): {detail}",
            retryable=code == 409 or code >= 500,
        )
