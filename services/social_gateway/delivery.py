"""One HTTP exchange with a platform: rate limit, retries with backoff on 429/5xx and on
connection errors before the request was sent (honouring Retry-After), a permanent failure
with the reason on other 4xx.

Only what is safe is retried. A read timeout or a connection lost after the request went out
means the platform may have made the post: a request that is not idempotent (no idempotency
key the platform honours) then raises :class:`OutcomeUnknown` at once, and is never sent
again by the gateway; an idempotent one is retried like a 5xx.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.social_gateway.ratelimit import RateLimiter


class PermanentFailure(Exception):
    """The platform refused the post; retrying the same request cannot help."""


class TransientFailure(Exception):
    """The platform stayed unavailable for every attempt; it never took the request."""


class OutcomeUnknown(Exception):
    """The request was sent and no answer came: the post may exist on the platform."""


# Transport errors raised before any byte of the request reached the platform.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay_s)
        return min(self.base_delay_s * 2 ** (attempt - 1), self.max_delay_s)


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _reason(response: httpx.Response) -> str:
    text = response.text.strip()
    try:
        body = response.json()
        if isinstance(body, dict):
            text = str(body.get("error") or body.get("message") or body.get("detail") or text)
    except ValueError:
        pass
    return text[:300] or response.reason_phrase


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    limiter: RateLimiter,
    policy: RetryPolicy,
    platform: str,
    idempotent: bool,
    **kwargs: Any,
) -> tuple[httpx.Response, int]:
    """Send until a 2xx (returned with the number of attempts) or a final failure.
    ``idempotent``: sending the request twice cannot make two posts (a GET, or a POST with
    an idempotency key the platform honours)."""
    last = ""
    for attempt in range(1, policy.max_attempts + 1):
        limiter.acquire()
        retry_after: float | None = None
        try:
            response = client.request(method, url, **kwargs)
        except _NOT_SENT as exc:
            last = f"{type(exc).__name__}: {exc}"
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}"
            if not idempotent:
                raise OutcomeUnknown(
                    f"{platform} did not answer after the request was sent ({last}); the post "
                    "may exist there: check the platform, then confirm or re-queue it"
                ) from exc
        else:
            if response.is_success:
                return response, attempt
            if response.status_code == 429 or response.status_code >= 500:
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                if retry_after is not None:
                    limiter.defer(retry_after)
                last = f"HTTP {response.status_code}: {_reason(response)}"
            else:
                code = response.status_code
                raise PermanentFailure(
                    f"{platform} refused the post (HTTP {code}): {_reason(response)}"
                )
        if attempt < policy.max_attempts:
            policy.sleep(policy.delay(attempt, retry_after))
    raise TransientFailure(
        f"{platform} did not accept the post after {policy.max_attempts} attempts (last: {last})"
    )
