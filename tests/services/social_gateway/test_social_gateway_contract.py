"""schemathesis against the gateway's OpenAPI document: generated requests (valid and
invalid) never produce a server error, and status codes and content types are documented.
The gateway has one platform, a real webhook receiver that refuses nothing."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from integrations.postgres.ephemeral import EphemeralPostgres, EphemeralPostgresError, find_pg_bin
from services.saas_standins.webhook_receiver import make_server
from services.social_gateway.adapters import WebhookAdapter
from services.social_gateway.config import GatewaySettings
from services.social_gateway.delivery import RetryPolicy
from services.social_gateway.ratelimit import RateLimiter

pytestmark = pytest.mark.slow

KEY = "contract-key-" + "c" * 40
SECRET = "contract-secret-" + "c" * 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def contract_dsn() -> Iterator[str]:
    try:
        find_pg_bin()
    except EphemeralPostgresError as exc:
        pytest.skip(f"no PostgreSQL server binaries: {exc}")
    with EphemeralPostgres(database="gateway_contract") as pg:
        yield pg.dsn


def test_generated_requests_find_no_server_errors(contract_dsn: str, tmp_path: Path) -> None:
    from services.social_gateway.app import create_app

    receiver = make_server(SECRET)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = WebhookAdapter(
        "hook", f"http://127.0.0.1:{receiver.server_address[1]}/", SECRET,
        policy=RetryPolicy(max_attempts=1), limiter=RateLimiter(60_000),
    )  # fmt: skip
    app = create_app(
        GatewaySettings(
            dsn=contract_dsn,
            api_keys={"ci": hashlib.sha256(KEY.encode()).hexdigest()},
            media_root=tmp_path,
            duplicate_wait_s=0.2,
        ),
        adapters={"hook": hook},
    )
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    calls: dict[str, int] = {}
    try:
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
                case.call_and_validate(headers={"X-API-Key": KEY}, checks=CHECKS)
                calls[case.operation.label] = calls.get(case.operation.label, 0) + 1

            check()
    finally:
        receiver.shutdown()
        receiver.server_close()
    assert set(calls) == {op.label for op in operations}
    assert len(operations) == 4
