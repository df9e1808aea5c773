"""What every notebook run shares, whether a DAG task or a person on the command line starts it.

Both callers (the Airflow task factory in airflow/plugins/notebook_tasks.py and the runner
papermill/execute_notebooks.py) take from here where notebooks are, where their executed
copies go, which kernel runs them, how an output is named and the ``run_id`` parameter every
notebook receives. So a run from the CLI leaves the same kind of output, beside the DAG's.

Locations come from the workers' environment, written by role papermill:
``CDAPROD_NOTEBOOKS_DIR``, ``CDAPROD_NOTEBOOK_OUTPUT``, ``CDAPROD_NOTEBOOK_KERNEL``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

NOTEBOOKS_DIR_VARIABLE = "CDAPROD_NOTEBOOKS_DIR"
OUTPUT_DIR_VARIABLE = "CDAPROD_NOTEBOOK_OUTPUT"
KERNEL_VARIABLE = "CDAPROD_NOTEBOOK_KERNEL"

# Where role papermill puts them on a worker.
DEFAULT_NOTEBOOKS_DIR = "/opt/cdaprod/papermill/notebooks"
DEFAULT_OUTPUT_DIR = "/opt/cdaprod/papermill/output"
DEFAULT_KERNEL = "cdaprod"

# Airflow's own run ids look like "manual__2026-11-30T15:55:00+00:00"; ours say who started it.
CLI_RUN_PREFIX = "cli__"


def notebooks_dir(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get(NOTEBOOKS_DIR_VARIABLE) or DEFAULT_NOTEBOOKS_DIR


def output_dir(environ: Mapping[str, str] = os.environ, default: str = DEFAULT_OUTPUT_DIR) -> str:
    return environ.get(OUTPUT_DIR_VARIABLE) or default


def kernel(
    environ: Mapping[str, str] = os.environ, default: str | None = DEFAULT_KERNEL
) -> str | None:
    return environ.get(KERNEL_VARIABLE) or default


def notebook_path(name: str, environ: Mapping[str, str] = os.environ) -> str:
    """papermill/notebooks/<name>.ipynb as deployed on the workers."""
    return f"{notebooks_dir(environ)}/{name}.ipynb"


def output_name(notebook: str, run_id: str, suffix: str = "") -> str:
    """The executed copy's file name: notebook and run, so a failed run's partial output
    stays beside the successful ones and a re-run of the same run replaces its own."""
    stem = Path(notebook).stem if notebook.endswith(".ipynb") else notebook
    return f"{stem}__{run_id}{suffix}.ipynb"


def new_cli_run_id(now: dt.datetime | None = None) -> str:
    """A run id for a run started by hand, shaped like Airflow's (unique to the microsecond)."""
    moment = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="microseconds")
    return f"{CLI_RUN_PREFIX}{moment}"


def with_run_id(run_id: str, parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The parameters a notebook receives: its run's id first, then the caller's; a caller's
    own ``run_id`` wins (a re-run that must write under the original run's id)."""
    return {"run_id": run_id, **(parameters or {})}
