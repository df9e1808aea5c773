"""notebook_smoke: one Papermill task per Celery queue (cpu, gpu).

Each task runs papermill/notebooks/notebook_smoke.ipynb on a worker of its queue; the notebook
records host name, queue and run id in PostgreSQL (cdaprod_smoke.notebook_runs). Trigger with
conf {"fail": true} to see a failing notebook fail its task (the partial output is kept).
The notebook and output locations come from the workers' environment (role papermill).
"""

from __future__ import annotations

import os

import pendulum
from airflow.providers.papermill.operators.papermill import PapermillOperator
from airflow.sdk import DAG, Param

NOTEBOOKS_DIR = os.environ.get("CDAPROD_NOTEBOOKS_DIR", "/opt/cdaprod/papermill/notebooks")
OUTPUT = os.environ.get("CDAPROD_NOTEBOOK_OUTPUT", "/opt/cdaprod/papermill/output")
KERNEL = os.environ.get("CDAPROD_NOTEBOOK_KERNEL", "cdaprod")
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
) as dag:
    for queue in QUEUES:
        PapermillOperator(
            task_id=f"notebook_{queue}",
            queue=queue,
            input_nb=f"{NOTEBOOKS_DIR}/notebook_smoke.ipynb",
            # run_id, not ds: API-triggered runs have no logical date.
            output_nb=f"{OUTPUT}/notebook_smoke__{{{{ run_id }}}}__{queue}.ipynb",
            kernel_name=KERNEL,
            parameters={"run_id": "{{ run_id }}", "queue": queue, "fail": "{{ params.fail }}"},
        )
