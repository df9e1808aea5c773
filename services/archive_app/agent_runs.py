"""Agent runs through Airflow's REST API (v2), as the app's agent page uses them: start the
archive_agent DAG with an objective, then read the run's state and its steps (the lines the
run prints into its task's log, read back by samples.archive_agent.step_lines).

The app signs in as its own Airflow user (role User: trigger and read runs). Tokens come
from the auth manager's ``/auth/token``; an expired one is replaced once per call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from samples.archive_agent.step_lines import Progress, read_progress
from services.archive_app.client import error_detail
from services.archive_app.settings import AppSettings

FINISHED = ("success", "failed")


class AgentRunError(RuntimeError):
    """Airflow refused or failed; the message is shown to the person as it is."""


@dataclass(frozen=True)
class RunView:
    run_id: str
    state: str  # Airflow's: queued, running, success, failed
    progress: Progress

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


def log_text(content: Any) -> str:
    """The text of a task log as the API returns it: structured events (Airflow 3) or lines."""
    if isinstance(content, str):
        return content
    lines = []
    for item in content or []:
        lines.append(str(item.get("event", "")) if isinstance(item, dict) else str(item))
    return "\n".join(lines)


class AgentRuns:
    def __init__(self, settings: AppSettings, transport: httpx.BaseTransport | None = None) -> None:
        if not settings.airflow_url:
            raise AgentRunError("agent runs are not set up here (no Airflow URL)")
        self.settings = settings
        self._http = httpx.Client(
            base_url=settings.airflow_url, timeout=settings.timeout_s, transport=transport
        )
        self._token = ""

    def _sign_in(self) -> None:
        body = {
            "username": self.settings.airflow_user,
            "password": self.settings.airflow_password.get_secret_value(),
        }
        response = self._request("POST", "/auth/token", json=body)
        if response.status_code not in (200, 201):
            raise AgentRunError(f"Airflow refused the app's sign-in ({response.status_code})")
        self._token = response.json()["access_token"]

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise AgentRunError(f"Airflow cannot be reached: {exc}") from None

    def _call(self, method: str, path: str, *, missing_ok: bool = False, **kwargs: Any) -> Any:
        for _ in range(2):
            if not self._token:
                self._sign_in()
            headers = {"Authorization": f"Bearer {self._token}"}
            response = self._request(method, f"/api/v2{path}", headers=headers, **kwargs)
            if response.status_code != 401:
                break
            self._token = ""
        if missing_ok and response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise AgentRunError(f"Airflow said: {error_detail(response)} ({response.status_code})")
        return response.json()

    def _dag(self, path: str = "") -> str:
        return f"/dags/{quote(self.settings.agent_dag, safe='')}{path}"

    def start(self, objective: str, *, started_by: str, **limits: int) -> str:
        """Trigger a run; its id. The DAG's params check the objective and the limits."""
        body = {
            "logical_date": None,
            "conf": {"objective": objective, **limits},
            "note": f"started by {started_by} from the archive app",
        }
        return self._call("POST", self._dag("/dagRuns"), json=body)["dag_run_id"]

    def view(self, run_id: str) -> RunView:
        run = quote(run_id, safe="")
        state = self._call("GET", self._dag(f"/dagRuns/{run}"))["state"]
        task_path = f"/dagRuns/{run}/taskInstances/{quote(self.settings.agent_task, safe='')}"
        # No task instance until the scheduler has looked at the run; no log before its try.
        task = self._call("GET", self._dag(task_path), missing_ok=True) or {}
        tries = int(task.get("try_number") or 0)
        text = ""
        if tries:
            log = self._call(
                "GET",
                self._dag(f"{task_path}/logs/{tries}"),
                params={"full_content": "true"},
                missing_ok=True,
            )
            text = log_text((log or {}).get("content"))
        return RunView(run_id, state, read_progress(text))

    def close(self) -> None:
        self._http.close()
