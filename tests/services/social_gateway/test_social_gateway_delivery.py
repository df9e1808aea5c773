"""Retries, Retry-After, permanent failures and unknown outcomes of one platform exchange
(delivery.send), with httpx's MockTransport playing the platform's answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from services.social_gateway.delivery import (
    OutcomeUnknown,
    PermanentFailure,
    RetryPolicy,
    TransientFailure,
    retry_after_seconds,
    send,
)
from services.social_gateway.ratelimit import RateLimiter


def _client(answers: list[httpx.Response]) -> tuple[httpx.Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    return httpx.Client(transport=httpx.MockTransport(handler)), seen


def test_retry_after_is_honoured_then_success() -> None:
    sleeps: list[float] = []
    client, seen = _client(
        [
            httpx.Response(429, headers={"Retry-After": "7"}, json={"error": "slow down"}),
            httpx.Response(502, text="bad gateway"),
            httpx.Response(200, json={"id": "1"}),
        ]
    )
    policy = RetryPolicy(max_attempts=4, base_delay_s=0.5, sleep=sleeps.append)
    limiter = RateLimiter(6000, sleep=lambda s: None)
    response, attempts = send(client, "POST", "http://p/x", limiter=limiter, policy=policy,
                              platform="p", idempotent=False)  # fmt: skip
    assert (response.status_code, attempts, len(seen)) == (200, 3, 3)
    assert sleeps == [7.0, 1.0]  # Retry-After, then exponential backoff for the 502


def test_4xx_is_permanent_and_5xx_gives_up_with_the_last_reason() -> None:
    client, seen = _client([httpx.Response(422, json={"error": "Validation failed: too long"})])
    policy = RetryPolicy(max_attempts=3, sleep=lambda s: None)
    limiter = RateLimiter(6000, sleep=lambda s: None)
    with pytest.raises(PermanentFailure, match=r"p refused the post \(HTTP 422\): Validation"):
        send(client, "POST", "http://p/x", limiter=limiter, policy=policy, platform="p",
             idempotent=False)  # fmt: skip
    assert len(seen) == 1
    client, seen = _client([httpx.Response(503, text="down")] * 3)
    with pytest.raises(TransientFailure, match=r"after 3 attempts \(last: HTTP 503: down\)"):
        send(client, "POST", "http://p/x", limiter=limiter, policy=policy, platform="p",
             idempotent=False)  # fmt: skip
    assert len(seen) == 3


def test_retry_after_forms() -> None:
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (retry_after_seconds(later) or 0) <= 31


def _failing_once(error: httpx.TransportError) -> tuple[httpx.Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            raise error
        return httpx.Response(200, json={"id": "1"})

    return httpx.Client(transport=httpx.MockTransport(handler)), seen


@pytest.mark.parametrize(
    ("error", "idempotent", "sent"),
    [
        # Never reached the platform: safe to send again, idempotent or not.
        (httpx.ConnectError("refused"), False, 2),
        # Sent, answer lost: the post may exist. Only an idempotent request goes again.
        (httpx.ReadTimeout("timed out"), True, 2),
        (httpx.ReadTimeout("timed out"), False, 1),
        (httpx.RemoteProtocolError("Server disconnected"), False, 1),
    ],
)
def test_only_what_is_safe_is_sent_again(
    error: httpx.TransportError, idempotent: bool, sent: int
) -> None:
    client, seen = _failing_once(error)
    policy = RetryPolicy(max_attempts=3, sleep=lambda s: None)
    limiter = RateLimiter(6000, sleep=lambda s: None)

    def attempt() -> tuple[httpx.Response, int]:
        return send(client, "POST", "http://p/x", limiter=limiter, policy=policy, platform="p",
                    idempotent=idempotent)  # fmt: skip

    if sent == 1:
        with pytest.raises(OutcomeUnknown, match="p did not answer after the request was sent"):
            attempt()
    else:
        assert attempt()[1] == 2
    assert len(seen) == sent
