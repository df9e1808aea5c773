"""notebook_smoke: one Papermill task per Celery queue (cpu, gpu).

Each task runs papermill/notebooks/notebook_smoke.ipynb on a worker of its queue; the notebook
records host name, queue and run id in PostgreSQL (cdaprod_smoke.notebook_runs). Trigger with
conf {"fail": true} to see a failing notebook fail its task (the partial output is kept).
The notebook and output locations come from the workers' environment (role papermill).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Param
from failure_mail import failure_notifiers
from notebook_tasks import notebook_task

QUEUES = ("cpu", "gpu")

with DAG(
    dag_id="notebook_smoke",
    description="Runs a parameterised smoke notebook on every worker queue.",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["smoke", "papermill"],
    params={"fail": Param(False, type="boolean", description="make the notebook raise")},
    render_template_as_native_obj=True,
    default_args={"on_failure_callback": failure_notifiers()},
) as dag:
    for queue in QUEUES:
        notebook_task(
            f"notebook_{queue}",
            "notebook_smoke",
            queue,
            {"queue": queue, "fail": "{{ params.fail }}"},
            output_suffix=f"__{queue}",
        )
