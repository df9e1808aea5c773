"""worker_probe: N runs of the smoke notebook on one queue's workers, each holding its slot.

Each run records its host in PostgreSQL (cdaprod_smoke.notebook_runs, as notebook_smoke does)
and then holds its worker slot for `seconds`. What it shows: which workers take a queue's
tasks (a new worker of a group takes its share) and that a worker drained while a run holds
its slot lets the run finish (one row per run and try: a task run twice records twice).
Killed runs are retried (the retries below) on another worker.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import DAG, Param, get_current_context, task
from failure_mail import failure_notifiers
from notebook_tasks import mapped_notebook_task

PROBE = {"retries": 2, "retry_delay": timedelta(seconds=15)}


@task(queue="cpu")
def probes(tasks: int, seconds: int) -> list[dict[str, Any]]:
    """One parameter set per probe: the run's id, the probe's number, how long it holds."""
    run_id = get_current_context()["run_id"]
    return [
        {"run_id": run_id, "queue": "cpu", "probe": index, "seconds": seconds}
        for index in range(int(tasks))
    ]


with DAG(
    dag_id="worker_probe",
    description="Smoke notebooks spread over the cpu queue's workers, each holding its slot.",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["smoke", "papermill", "workers"],
    params={
        "tasks": Param(2, type="integer", minimum=1, maximum=32, description="notebook runs"),
        "seconds": Param(0, type="integer", minimum=0, maximum=3600, description="each holds"),
    },
    default_args={"on_failure_callback": failure_notifiers()},
) as dag:
    mapped_notebook_task(
        "probe",
        "notebook_smoke",
        "cpu",
        probes(tasks="{{ params.tasks }}", seconds="{{ params.seconds }}"),
        **PROBE,
    )
