"""schemathesis against the gateway's OpenAPI document: generated requests (valid and
invalid) never produce a server error, and status codes and content types are documented.
The gateway has one platform, a real webhook receiver that refuses nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from gateway_testlib import API_KEY, SECRET
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.saas_standins.webhook_receiver import running
from services.social_gateway.adapters import WebhookAdapter
from services.social_gateway.delivery import RetryPolicy
from services.social_gateway.ratelimit import RateLimiter

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_generated_requests_find_no_server_errors(
    make_app: Callable[..., Any], tmp_path: Any
) -> None:
    calls: dict[str, int] = {}
    with running(SECRET) as receiver:
        hook = WebhookAdapter(
            "hook", f"http://127.0.0.1:{receiver.server_address[1]}/", SECRET,
            policy=RetryPolicy(max_attempts=1), limiter=RateLimiter(60_000),
        )  # fmt: skip
        app = make_app({"hook": hook}, media_root=tmp_path)
        schema = schemathesis.openapi.from_asgi(
            "/api/v1/openapi.json", app, headers={"X-API-Key": API_KEY}
        )
        operations = [result.ok() for result in schema.get_all_operations()]
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=40,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def check(case) -> None:
                case.call_and_validate(headers={"X-API-Key": API_KEY}, checks=CHECKS)
                calls[case.operation.label] = calls.get(case.operation.label, 0) + 1

            check()
    assert set(calls) == {op.label for op in operations}
    assert len(operations) == 6  # posts: create, get, retry, confirm; health; metrics
