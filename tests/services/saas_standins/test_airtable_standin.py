"""The local Airtable stand-in (services/saas_standins/airtable.py; not Airtable): the calendar
client works against it, a wrong token is refused as Airtable refuses it, and the service
will not start without a token."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import requests
from fastapi.testclient import TestClient

from integrations.airtable.client import ContentCalendar, Draft
from services.saas_standins import airtable as standin

TOKEN = "pat-standin-test-" + "t" * 20


def test_wrong_or_missing_token_is_401() -> None:
    client = TestClient(standin.create_app(TOKEN))
    assert client.get("/v0/appX/Calendar").status_code == 401
    wrong = client.get("/v0/appX/Calendar", headers={"Authorization": "Bearer nope-" + "x" * 20})
    assert wrong.status_code == 401
    assert wrong.json()["detail"]["type"] == "AUTHENTICATION_REQUIRED"
    right = client.get("/v0/appX/Calendar", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200 and right.json() == {"records": []}


@pytest.fixture
def served_standin(serve_module: Callable[[str, dict[str, str]], str]) -> str:
    """The stand-in run as the service is run: ``python -m services.saas_standins.airtable``."""
    return serve_module("services.saas_standins.airtable", {standin.TOKEN_ENV: TOKEN})


def test_calendar_client_round_trip(served_standin: str) -> None:
    calendar = ContentCalendar(TOKEN, "appX", "Calendar", endpoint_url=served_standin)
    slot = datetime(2026, 1, 1, tzinfo=UTC)
    created = calendar.add_drafts([Draft("asset-1:feed", 1, "feed", "/m/1.mp4", "Hi", slot)])
    assert [r.draft_key for r in created] == ["asset-1:feed"]
    assert calendar.add_drafts([Draft("asset-1:feed", 1, "feed", "/m/1.mp4", "Hi", slot)]) == []
    calendar.approve([created[0].record_id])
    assert [r.record_id for r in calendar.due(slot)] == [created[0].record_id]
    calendar.set_status(created[0].record_id, "Published", "http://x/1")
    assert [r.status for r in calendar.rows()] == ["Published"]
    wrong = ContentCalendar("wrong-token-" + "w" * 20, "appX", "Calendar",
                            endpoint_url=served_standin)  # fmt: skip
    with pytest.raises(requests.HTTPError) as err:
        wrong.rows()
    assert err.value.response.status_code == 401


def test_refuses_to_start_without_a_token(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.delenv(standin.TOKEN_ENV, raising=False)
    assert standin.main(["--port", "0"]) == 2
    assert standin.TOKEN_ENV in capsys.readouterr().err
    monkeypatch.setenv(standin.TOKEN_ENV, "short")
    assert standin.main(["--port", "0"]) == 2
    with pytest.raises(ValueError):
        standin.create_app("short")
