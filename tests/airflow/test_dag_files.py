"""Static checks of the DAG files on the controller (Airflow itself runs on the hosts; the
airflow_master and platform molecule scenarios parse and run these DAGs for real).

DAG files stay declarative: Airflow 3's `airflow.sdk`, provider operators, no `{{ ds }}`
(undefined in API-triggered runs), no top-level work besides building the DAG.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAGS = sorted((ROOT / "airflow" / "dags").glob("*.py"))
SMOKE = ROOT / "airflow" / "dags" / "notebook_smoke.py"
NOTEBOOKS = ROOT / "papermill" / "notebooks"
NOTEBOOK_TASKS = ROOT / "airflow" / "plugins" / "notebook_tasks.py"
PLUGINS = sorted((ROOT / "airflow" / "plugins").glob("*.py"))


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def test_no_init_files_shadow_the_libraries():
    assert not (ROOT / "airflow" / "__init__.py").exists()
    assert not (ROOT / "papermill" / "__init__.py").exists()


@pytest.mark.parametrize("path", DAGS, ids=lambda p: p.name)
def test_dag_files_use_airflow_3_sdk_and_no_ds(path):
    source = path.read_text()
    assert "{{ ds }}" not in source and "{{ds}}" not in source, "use {{ run_id }}"
    imports = {n.module for n in ast.walk(tree(path)) if isinstance(n, ast.ImportFrom)}
    assert "airflow.models" not in imports and "airflow.models.dag" not in imports
    assert "airflow.sdk" in imports


def _calls(path: Path, name: str) -> list[ast.Call]:
    return [
        n
        for n in ast.walk(tree(path))
        if isinstance(n, ast.Call) and getattr(n.func, "id", "") == name
    ]


def test_notebook_tasks_are_papermill_operators_with_run_id():
    """Both factories build PapermillOperators from one set of conventions (core.notebook_runs):
    queue, notebook, output named by run (and map index), kernel, and run_id injected or
    carried by each mapped element."""
    source = NOTEBOOK_TASKS.read_text()
    functions = {
        n.name: n for n in ast.walk(tree(NOTEBOOK_TASKS)) if isinstance(n, ast.FunctionDef)
    }
    common = functions["_common"]
    returned = next(n.value for n in ast.walk(common) if isinstance(n, ast.Return))
    keys = {k.value for k in returned.keys}  # type: ignore[union-attr]
    assert keys == {"task_id", "queue", "input_nb", "output_nb", "kernel_name"}
    assert 'RUN_ID = "{{ run_id }}"' in source and 'MAP_INDEX = "{{ ti.map_index }}"' in source
    assert "notebook_runs.with_run_id(RUN_ID" in source
    assert "notebook_runs.output_name(notebook, RUN_ID, suffix)" in source
    assert "PapermillOperator.partial(" in source and ".expand(parameters=parameters)" in source


@pytest.mark.parametrize("path", DAGS, ids=lambda p: p.name)
def test_dag_tasks_come_from_the_shared_notebook_task(path):
    assert _calls(path, "notebook_task") or _calls(path, "mapped_notebook_task"), (
        "build notebook tasks with notebook_task() or mapped_notebook_task()"
    )
    imports = {
        (n.module, a.name)
        for n in ast.walk(tree(path))
        if isinstance(n, ast.ImportFrom)
        for a in n.names
    }
    assert any(module == "notebook_tasks" for module, _ in imports), "use airflow/plugins/"
    assert not _calls(path, "PapermillOperator"), "no hand-made PapermillOperator"


def test_notebook_smoke_has_one_papermill_task_per_queue():
    assert len(_calls(SMOKE, "notebook_task")) == 1, "one task call, looped over the queues"
    queues = [
        n
        for n in ast.walk(tree(SMOKE))
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "QUEUES"
    ]
    assert ast.literal_eval(queues[0].value) == ("cpu", "gpu")


def test_smoke_notebook_declares_the_parameters_the_dag_passes():
    import nbformat

    nb = nbformat.read(NOTEBOOKS / "notebook_smoke.ipynb", as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    names = {
        t.id
        for n in ast.walk(ast.parse(params[0].source))
        if isinstance(n, ast.Assign)
        for t in n.targets
    }
    assert {"run_id", "queue", "fail", "record"} <= names


def _parse_time_env(path: Path) -> set[str]:
    """Names the file reads with os.environ.get outside any function: at parse time."""
    names: set[str] = set()
    for node in tree(path).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for call in ast.walk(node):
            if (
                isinstance(call, ast.Call)
                and ast.unparse(call.func) == "os.environ.get"
                and isinstance(call.args[0], ast.Constant)
            ):
                names.add(call.args[0].value)
    return names


def test_the_master_and_the_workers_parse_the_dags_with_the_same_environment():
    """A task runner on a worker re-parses its DAG's file: a DAG that exists only with a
    variable the master has (the S3 events DAG) is 'not found' on a worker without it."""
    import yaml

    read = set().union(*(_parse_time_env(path) for path in DAGS))
    # The plugins' helpers that DAG files call while they are parsed read the environment too.
    read |= {
        call.args[0].value
        for plugin in PLUGINS
        for call in ast.walk(tree(plugin))
        if isinstance(call, ast.Call)
        and ast.unparse(call.func) == "os.environ.get"
        and isinstance(call.args[0], ast.Constant)
    }
    group_vars = ROOT / "ansible" / "group_vars"
    shared = yaml.safe_load((group_vars / "all" / "dags.yml").read_text())
    assert set(shared["platform_dag_parse_env"]) == read
    master = yaml.safe_load((group_vars / "airflow_master.yml").read_text())
    worker = yaml.safe_load((group_vars / "airflow_worker.yml").read_text())
    assert "platform_dag_parse_env" in master["airflow_master_extra_env"]
    assert "platform_dag_parse_env" in worker["airflow_worker_extra_env"]


def test_the_archive_qa_params_accept_exactly_the_filters_the_notebook_reads():
    from samples.archive_qa.filters import NAMES

    dag = tree(ROOT / "airflow" / "dags" / "archive_qa.py")
    filters = next(
        n.value
        for n in ast.walk(dag)
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "FILTERS"
    )
    assert sorted(ast.literal_eval(filters)) == sorted(NAMES)
