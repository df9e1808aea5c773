"""Airflow's REST API (v2) as the scenarios' tests drive it, from the controller: plain JSON
calls, one DAG at a time (unpause, trigger, wait, read its task instances and their tries).

Not a package (see container_checks.py): the scenarios' tests put molecule/shared on sys.path.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import container_checks


def wait_for(predicate, timeout, what, interval=3.0):
    """container_checks.wait_for, polling every 3 s: these checks ask podman and services."""
    return container_checks.wait_for(predicate, timeout, what, interval)


def call(method, url, body=None, token=None, headers=None, timeout=30):
    """(status, decoded JSON body or text); HTTP errors are answers, not exceptions."""
    all_headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    all_headers.update(headers or {})
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=all_headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            text = resp.read().decode()
            return resp.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as err:
        text = err.read().decode()
        try:
            return err.code, json.loads(text)
        except json.JSONDecodeError:
            return err.code, text


def quote(run_id: str) -> str:
    return urllib.parse.quote(run_id, safe="")


class Airflow:
    """The Airflow API on the master, as the tests drive it: one DAG at a time."""

    def __init__(self, api: str, token: str, dag: str) -> None:
        self.api, self.token, self.dag = api, token, dag

    def get(self, path: str):
        return call("GET", f"{self.api}/api/v2/dags/{self.dag}{path}", token=self.token)

    def unpause(self) -> None:
        wait_for(lambda: self.get("")[0] == 200, 300, f"the dag-processor to register {self.dag}")
        status, body = call(
            "PATCH", f"{self.api}/api/v2/dags/{self.dag}", {"is_paused": False}, token=self.token
        )
        assert status == 200 and body["is_paused"] is False, body

    def trigger(self, conf: dict) -> str:
        status, run = call(
            "POST",
            f"{self.api}/api/v2/dags/{self.dag}/dagRuns",
            {"logical_date": None, "conf": conf},
            token=self.token,
        )
        assert status == 200, run
        return run["dag_run_id"]

    def state(self, run_id: str) -> str | None:
        _, body = self.get(f"/dagRuns/{quote(run_id)}")
        return body.get("state") if isinstance(body, dict) else None

    def wait_finished(self, run_id: str, timeout: int) -> str:
        def finished():
            state = self.state(run_id)
            return state if state in ("success", "failed") else None

        return wait_for(finished, timeout, f"{self.dag} run {run_id} to finish", interval=5)

    def task_instances(self, run_id: str, task_id: str) -> list[dict]:
        """Every task instance of `task_id` in the run (one per map index when mapped)."""
        status, body = self.get(f"/dagRuns/{quote(run_id)}/taskInstances?limit=500")
        assert status == 200, body
        return [ti for ti in body["task_instances"] if ti["task_id"] == task_id]

    def tries(self, run_id: str, task_id: str) -> list[dict]:
        """Every try of every instance of `task_id` (a retried task has one per try)."""
        found = []
        for ti in self.task_instances(run_id, task_id):
            index = ti.get("map_index", -1)
            path = f"/dagRuns/{quote(run_id)}/taskInstances/{task_id}"
            path += f"/{index}/tries" if index >= 0 else "/tries"
            status, body = self.get(path)
            assert status == 200, body
            found += body["task_instances"]
        return found
