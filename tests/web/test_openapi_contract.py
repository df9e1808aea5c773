"""schemathesis against the OpenAPI document: generated requests (valid and invalid) never
produce a server error, and responses match the documented schemas, status codes and
content types."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from web_testlib import EDITOR_KEY, Archive

from samples.video_archive.catalog import open_catalog

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_generated_requests_find_no_server_errors(archive: Archive) -> None:
    from samples.video_archive.web.app import create_app

    catalog = open_catalog(archive.settings.archive.catalog_dsn, migrate=False)
    saved = catalog.conn.execute("SELECT id, title, description, tags FROM assets").fetchall()
    catalog.commit()
    app = create_app(archive.settings)
    app.state.semantic.warm()  # load the embedder now, not inside a timed request
    schema = schemathesis.openapi.from_asgi(
        "/api/v1/openapi.json", app, headers={"X-API-Key": EDITOR_KEY}
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7, [op.label for op in operations]
    calls: dict[str, int] = {}
    try:
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=30,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def check(case) -> None:
                case.call_and_validate(headers={"X-API-Key": EDITOR_KEY}, checks=CHECKS)
                calls[case.operation.label] = calls.get(case.operation.label, 0) + 1

            check()
    finally:
        # Generated PATCH calls change descriptive fields: put them back for other tests.
        with catalog.conn.cursor() as cur:
            cur.executemany(
                "UPDATE assets SET title = %(title)s, description = %(description)s, "
                "tags = %(tags)s WHERE id = %(id)s",
                saved,
            )
        catalog.commit()
        catalog.close()
    assert set(calls) == {op.label for op in operations}
