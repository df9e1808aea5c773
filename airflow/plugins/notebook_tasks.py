"""Airflow tasks that run one of the platform's Papermill notebooks on a Celery queue.

Lives in Airflow's plugins folder (deployed beside the DAGs; Airflow puts the folder on
sys.path), so DAG files say ``from notebook_tasks import notebook_task``. Where notebooks,
outputs and the kernel are, how outputs are named and the ``run_id`` parameter come from
core.notebook_runs, which the command-line runner (papermill/execute_notebooks.py) shares.
Every run gets its ``run_id``, not ``ds``: API-triggered runs have no logical date.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.papermill.operators.papermill import PapermillOperator

from core import notebook_runs

RUN_ID = "{{ run_id }}"


def notebook_task(
    task_id: str,
    notebook: str,
    queue: str,
    parameters: dict[str, Any] | None = None,
    output_suffix: str = "",
    **operator_args: Any,
) -> PapermillOperator:
    """PapermillOperator running papermill/notebooks/<notebook>.ipynb on `queue`.

    `operator_args` go to the operator as they are (retries, execution_timeout, pool, ...).
    """
    output = notebook_runs.output_name(notebook, RUN_ID, output_suffix)
    return PapermillOperator(
        task_id=task_id,
        queue=queue,
        input_nb=notebook_runs.notebook_path(notebook),
        output_nb=f"{notebook_runs.output_dir()}/{output}",
        kernel_name=notebook_runs.kernel(),
        parameters=notebook_runs.with_run_id(RUN_ID, parameters),
        **operator_args,
    )
