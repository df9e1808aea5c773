"""The converged platform, checked from outside: the controller calls the Airflow API on the
master's private address (our own container on our own podman network), reads the smoke
table in PostgreSQL and the output notebooks on the workers."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import testinfra
from platform_api import PREFIX, call, through_ingress

RESULTS = os.environ.get("PLATFORM_TIMINGS_FILE")
OUTPUT_DIR = "/opt/cdaprod/papermill/output"

testinfra_hosts = [f"podman://{PREFIX}airflow-master-1"]


def quote(run_id: str) -> str:
    return urllib.parse.quote(run_id, safe="")


def wait_for(predicate, timeout, interval=3.0):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


@pytest.fixture(scope="module")
def smoke_dag(api, token):
    ok = wait_for(
        lambda: call("GET", f"{api}/api/v2/dags/notebook_smoke", token=token)[0] == 200, 180
    )
    assert ok, "the dag-processor never registered notebook_smoke"
    status, body = call(
        "PATCH", f"{api}/api/v2/dags/notebook_smoke", {"is_paused": False}, token=token
    )
    assert status == 200 and body["is_paused"] is False, body
    return "notebook_smoke"


def trigger_and_wait(api, token, conf, timeout=600):
    start = time.monotonic()
    status, run = call(
        "POST",
        f"{api}/api/v2/dags/notebook_smoke/dagRuns",
        {"logical_date": None, "conf": conf},
        token=token,
    )
    assert status == 200, run
    run_id = run["dag_run_id"]

    def finished():
        _, body = call(
            "GET", f"{api}/api/v2/dags/notebook_smoke/dagRuns/{quote(run_id)}", token=token
        )
        return body if body and body.get("state") in ("success", "failed") else None

    final = wait_for(finished, timeout)
    assert final, f"run {run_id} did not finish within {timeout}s"
    return run_id, final["state"], time.monotonic() - start


@pytest.fixture(scope="module")
def good_run(api, token, smoke_dag):
    run_id, state, seconds = trigger_and_wait(api, token, {})
    if RESULTS:
        Path(RESULTS).write_text(json.dumps({"dag_run_seconds": round(seconds, 1)}) + "\n")
    print(f"notebook_smoke run {run_id}: {state} in {seconds:.1f}s")
    return run_id, state


def test_health_reports_every_component_healthy(api):
    def healthy():
        status, body = call("GET", f"{api}/api/v2/monitor/health")
        parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
        return status == 200 and all(body[p]["status"] == "healthy" for p in parts) and body

    body = wait_for(healthy, 90)
    assert body, call("GET", f"{api}/api/v2/monitor/health")


def test_unauthenticated_calls_get_401(api):
    assert call("GET", f"{api}/api/v2/dags")[0] == 401
    status, _ = call(
        "POST", f"{api}/api/v2/dags/notebook_smoke/dagRuns", {"logical_date": None, "conf": {}}
    )
    assert status == 401
    assert call("POST", f"{api}/auth/token", {"username": "admin", "password": "wrong"})[0] == 401


def test_airflow_viewer_through_the_ingress_sees_dags_but_cannot_trigger(secrets):
    status, page = through_ingress("airflow", "/auth/login/")
    assert status == 200 and 'type="password"' in page
    assert "development" not in page.lower()
    status, body = through_ingress(
        "airflow",
        "/auth/token",
        method="POST",
        body={"username": "viewer", "password": secrets["airflow_viewer_password"]},
    )
    assert status == 201, body
    viewer = {"Authorization": f"Bearer {json.loads(body)['access_token']}"}
    assert through_ingress("airflow", "/api/v2/dags", headers=viewer)[0] == 200
    status, body = through_ingress(
        "airflow",
        "/api/v2/dags/notebook_smoke/dagRuns",
        method="POST",
        headers=viewer,
        body={"logical_date": None},
    )
    assert status == 403, body


def test_authenticated_trigger_runs_the_dag_to_success(good_run):
    run_id, state = good_run
    assert state == "success", run_id


def test_each_queue_ran_on_its_worker(good_run):
    run_id, _ = good_run
    pg = testinfra.get_host(f"podman://{PREFIX}postgres-1")
    sql = (
        "SELECT queue || ' ' || hostname FROM cdaprod_smoke.notebook_runs "
        f"WHERE run_id = '{run_id}' ORDER BY queue"
    )
    out = pg.check_output("runuser -u postgres -- psql -d notebook_smoke -Atc %s", sql)
    assert out.splitlines() == ["cpu worker-cpu-1", "gpu worker-gpu-1"]


@pytest.mark.parametrize("worker, queue", [("worker-cpu-1", "cpu"), ("worker-gpu-1", "gpu")])
def test_output_notebooks_contain_the_injected_parameters(good_run, worker, queue):
    run_id, _ = good_run
    host = testinfra.get_host(f"podman://{PREFIX}{worker}")
    path = f"{OUTPUT_DIR}/notebook_smoke__{run_id}__{queue}.ipynb"
    nb = json.loads(host.check_output("cat %s", path))
    cells = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(cells) == 1
    source = "".join(cells[0]["source"])
    assert f'run_id = "{run_id}"' in source
    assert f'queue = "{queue}"' in source
    assert nb["metadata"]["papermill"]["exception"] is None


def test_a_failing_notebook_fails_its_task_with_the_cells_error(api, token, failed_smoke_run):
    run_id, state = failed_smoke_run
    assert state == "failed"
    url = (
        f"{api}/api/v2/dags/notebook_smoke/dagRuns/{quote(run_id)}/taskInstances/"
        "notebook_cpu/logs/1?full_content=true"
    )
    status, log = call("GET", url, token=token)
    assert status == 200, log
    text = json.dumps(log)
    assert "notebook_smoke was asked to fail" in text
    # The partial output notebook is kept on the worker, with the error recorded in it.
    host = testinfra.get_host(f"podman://{PREFIX}worker-cpu-1")
    partial = f"{OUTPUT_DIR}/notebook_smoke__{run_id}__cpu.ipynb"
    nb = json.loads(host.check_output("cat %s", partial))
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "RuntimeError"


def test_archive_serves_the_sample_videos_through_the_ingress(secrets, archive_run):
    status, _ = through_ingress("archive", "/health")
    assert status == 200
    status, _ = through_ingress("archive", "/api/v1/search")
    assert status == 401, "the archive API answered without an API key"

    def catalogued():
        status, text = through_ingress(
            "archive", "/api/v1/search", headers={"X-API-Key": secrets["archive_api_key"]}
        )
        assert status == 200, text
        return json.loads(text)["total"]

    # Catalogued by the workers' video_archive run (conftest.archive_run).
    assert catalogued(), "no sample video was catalogued"


def test_social_gateway_answers_through_the_ingress_and_wants_a_key():
    status, _ = through_ingress("api", "/health")
    assert status == 200
    status, _ = through_ingress(
        "api", "/api/v1/posts", method="POST", body={"platform": "webhook", "text": "hello"}
    )
    assert status == 401, "the gateway accepted a post without an API key"


@pytest.mark.parametrize("worker", ["worker-cpu-1", "worker-gpu-1"])
def test_workers_write_only_their_home_the_notebooks_dirs_and_outputs(worker):
    # The unit's ProtectSystem=strict leaves these writable (the papermill role's drop-in adds
    # the outputs): what the platform's notebooks write must be among them.
    host = testinfra.get_host(f"podman://{PREFIX}{worker}")
    writable = host.check_output("systemctl show -p ReadWritePaths --value airflow-worker").split()
    assert writable[0] == "/opt/cdaprod/airflow"
    assert {OUTPUT_DIR, "/srv/social/derivatives", "/srv/archive/derivatives"} <= set(writable)
    assert "/srv/archive/index" in writable
