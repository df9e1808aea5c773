"""The app's agent runs against Airflow's REST API as a stand-in answers it (the real API is
exercised on the platform, tests/.../test_archive_app.py): a run is started with the
person's name in its note, read before the scheduler made its task and while it logs its
steps; an expired token is replaced; a refusal is one clear message."""

from __future__ import annotations

import json

import httpx
import pytest

from services.archive_app.agent_runs import AgentRunError, AgentRuns
from services.archive_app.settings import AppSettings

DAG = "/api/v2/dags/archive_agent"
LOG = [
    {"event": "Executing cell 2", "level": "info"},
    {"event": "[  1] search_archive  found 2 videos: asset 3, asset 5 (0.4 s)", "level": "info"},
    {"event": "[  2] cut_clip        error: ffmpeg failed (1.0 s)", "level": "info"},
]


def _settings(**overrides: str) -> AppSettings:
    values = {
        "archive_url": "http://archive.test:8700",
        "api_key": "k" * 20,
        "airflow_url": "http://airflow.test:8080",
        "airflow_user": "archive-app",
        "airflow_password": "p" * 20,
    }
    return AppSettings(**{**values, **overrides})


class FakeAirflow:
    """Airflow's answers, in the shapes of its v2 API; tokens expire when told to."""

    def __init__(self) -> None:
        self.tokens_issued = 0
        self.valid_token = ""
        self.triggered: list[dict] = []
        self.task: dict | None = None
        self.log: list[dict] = []
        self.state = "queued"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/auth/token":
            body = json.loads(request.content)
            if body["password"] != "p" * 20:
                return httpx.Response(401, json={"detail": "Invalid credentials"})
            self.tokens_issued += 1
            self.valid_token = f"token-{self.tokens_issued}"
            return httpx.Response(201, json={"access_token": self.valid_token})
        if request.headers.get("Authorization") != f"Bearer {self.valid_token}":
            return httpx.Response(401, json={"detail": "Invalid JWT token"})
        if path == f"{DAG}/dagRuns" and request.method == "POST":
            self.triggered.append(json.loads(request.content))
            return httpx.Response(200, json={"dag_run_id": "manual__2026-12-03T05:00:00+00:00"})
        run = f"{DAG}/dagRuns/manual__2026-12-03T05:00:00+00:00"
        if path == run:
            return httpx.Response(200, json={"state": self.state})
        if path == f"{run}/taskInstances/run_agent":
            if self.task is None:
                return httpx.Response(404, json={"detail": "not found"})
            return httpx.Response(200, json=self.task)
        if path == f"{run}/taskInstances/run_agent/logs/1":
            assert request.url.params["full_content"] == "true"
            return httpx.Response(200, json={"content": self.log, "continuation_token": None})
        return httpx.Response(404, json={"detail": f"no route {path}"})


def test_a_run_is_started_and_its_steps_read_as_they_come() -> None:
    airflow = FakeAirflow()
    runs = AgentRuns(_settings(), transport=httpx.MockTransport(airflow))
    run_id = runs.start("find two clips about the harbour", started_by="ada", max_steps=12)
    assert airflow.triggered == [
        {
            "logical_date": None,
            "conf": {"objective": "find two clips about the harbour", "max_steps": 12},
            "note": "started by ada from the archive app",
        }
    ]
    # Before the scheduler made the task instance: the run, no steps.
    view = runs.view(run_id)
    assert view.state == "queued" and view.progress.steps == [] and not view.finished
    airflow.state, airflow.task, airflow.log = "running", {"try_number": 1}, LOG
    airflow.valid_token = "rotated"  # the app's token expired meanwhile
    view = runs.view(run_id)
    assert [(s.number, s.tool, s.failed) for s in view.progress.steps] == [
        (1, "search_archive", False),
        (2, "cut_clip", True),
    ]
    assert airflow.tokens_issued == 2
    airflow.state = "success"
    airflow.log = [*LOG, {"event": "agent run ended: done"}]
    view = runs.view(run_id)
    assert view.finished and view.progress.status == "done"


def test_refusals_are_one_clear_message() -> None:
    airflow = FakeAirflow()
    wrong = AgentRuns(_settings(airflow_password="w" * 20), transport=httpx.MockTransport(airflow))
    with pytest.raises(AgentRunError, match="refused the app's sign-in"):
        wrong.start("find clips", started_by="ada")
    runs = AgentRuns(_settings(agent_dag="gone"), transport=httpx.MockTransport(airflow))
    with pytest.raises(AgentRunError, match=r"Airflow said: no route .* \(404\)"):
        runs.start("find clips", started_by="ada")


def test_an_airflow_url_needs_the_apps_credentials() -> None:
    with pytest.raises(ValueError, match="set airflow_user and airflow_password too"):
        AppSettings(
            archive_url="http://archive.test:8700", api_key="k" * 20, airflow_url="http://a:8080"
        )
