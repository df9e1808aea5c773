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
MAP_INDEX = "{{ ti.map_index }}"


def _common(task_id: str, notebook: str, queue: str, suffix: str) -> dict[str, Any]:
    output = notebook_runs.output_name(notebook, RUN_ID, suffix)
    return {
        "task_id": task_id,
        "queue": queue,
        "input_nb": notebook_runs.notebook_path(notebook),
        "output_nb": f"{notebook_runs.output_dir()}/{output}",
        "kernel_name": notebook_runs.kernel(),
    }


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
    return PapermillOperator(
        **_common(task_id, notebook, queue, output_suffix),
        parameters=notebook_runs.with_run_id(RUN_ID, parameters),
        **operator_args,
    )


def mapped_notebook_task(
    task_id: str, notebook: str, queue: str, parameters: Any, **operator_args: Any
) -> Any:
    """One notebook run per element of `parameters` (an upstream task's list of parameter
    dicts: Airflow's dynamic task mapping), spread over the workers of `queue`. Each element
    carries its own ``run_id``; outputs are named by run and map index."""
    return PapermillOperator.partial(
        **_common(task_id, notebook, queue, f"__{MAP_INDEX}"), **operator_args
    ).expand(parameters=parameters)
