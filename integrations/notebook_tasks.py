"""Airflow tasks that run one of the platform's Papermill notebooks on a Celery queue.

Shared by the DAG files in airflow/dags/ (imported from the hosts' Python environment, where
the project is installed): where notebooks, outputs and the kernel are comes from the workers'
environment (role papermill), and every run gets its ``run_id``, not ``ds``: API-triggered
runs have no logical date. The output notebook is named after the notebook and the run, so a
failing notebook's partial output stays beside the successful ones.
"""

from __future__ import annotations

import os
from typing import Any

from airflow.providers.papermill.operators.papermill import PapermillOperator

NOTEBOOKS_DIR = os.environ.get("CDAPROD_NOTEBOOKS_DIR", "/opt/cdaprod/papermill/notebooks")
OUTPUT = os.environ.get("CDAPROD_NOTEBOOK_OUTPUT", "/opt/cdaprod/papermill/output")
KERNEL = os.environ.get("CDAPROD_NOTEBOOK_KERNEL", "cdaprod")


def notebook_task(
    task_id: str,
    notebook: str,
    queue: str,
    parameters: dict[str, Any] | None = None,
    output_suffix: str = "",
) -> PapermillOperator:
    """PapermillOperator running papermill/notebooks/<notebook>.ipynb on `queue`."""
    return PapermillOperator(
        task_id=task_id,
        queue=queue,
        input_nb=f"{NOTEBOOKS_DIR}/{notebook}.ipynb",
        output_nb=f"{OUTPUT}/{notebook}__{{{{ run_id }}}}{output_suffix}.ipynb",
        kernel_name=KERNEL,
        parameters={"run_id": "{{ run_id }}", **(parameters or {})},
    )
