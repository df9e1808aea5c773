"""Fixtures of the platform's tests: the secrets file, the Airflow API and a token for it, the
platform's first video_archive run (which fills the catalogue the other samples read), and a
notebook_smoke run that fails on purpose."""

from __future__ import annotations

import pytest
import yaml
from platform_api import SECRETS, Airflow, call, container_ip, kill_task_runner, wait_for


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "outage: stops a service of the platform; runs after every other test"
    )


def pytest_collection_modifyitems(items):
    """Tests that stop a service run last, so no other test meets the outage."""
    items.sort(key=lambda item: item.get_closest_marker("outage") is not None)


# The first archive run derives every sample (ffmpeg on 2 cores, beside six other hosts).
ARCHIVE_RUN_TIMEOUT = 2400


@pytest.fixture(scope="session")
def secrets():
    return yaml.safe_load(SECRETS.read_text())


@pytest.fixture(scope="session")
def api():
    return f"http://{container_ip('airflow-master-1')}:8080"


@pytest.fixture(scope="session")
def token(api, secrets):
    status, body = call(
        "POST",
        f"{api}/auth/token",
        {"username": "admin", "password": secrets["airflow_admin_password"]},
    )
    assert status == 201, body
    return body["access_token"]


@pytest.fixture(scope="session")
def archive_run(api, token):
    """The platform's first video_archive run, triggered through the API, with one silver
    batch's task runner killed on its worker while it derives: the run must still end well
    (the batch is retried, elsewhere or not, and redoes only what is missing)."""
    archive = Airflow(api, token, "video_archive")
    archive.unpause()
    run_id = archive.trigger({"silver_batch_size": 2})

    def running_batch():
        running = [
            ti
            for ti in archive.task_instances(run_id, "silver")
            if ti["state"] == "running" and ti.get("hostname")
        ]
        return running[0] if running else None

    victim = wait_for(running_batch, 1200, f"a running silver batch of {run_id}", interval=1)
    killed = kill_task_runner(victim)
    print(f"killed silver[{victim['map_index']}] of {run_id} on {victim['hostname']}: {killed}")
    state = archive.wait_finished(run_id, ARCHIVE_RUN_TIMEOUT)
    print(f"video_archive run {run_id} ended {state}")
    return {"airflow": archive, "run_id": run_id, "state": state, "victim": victim}


@pytest.fixture(scope="session")
def failed_smoke_run(api, token):
    """A notebook_smoke run whose notebook raises in a cell (conf fail=True): (run_id, state)."""
    smoke = Airflow(api, token, "notebook_smoke")
    smoke.unpause()
    run_id = smoke.trigger({"fail": True})
    return run_id, smoke.wait_finished(run_id, 600)
