"""The notebook runner CLI (papermill/execute_notebooks.py), run as a user would run it.

Notebooks execute for real on the controller venv's python3 kernel (ipykernel).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "papermill" / "execute_notebooks.py"
SMOKE = ROOT / "papermill" / "notebooks" / "notebook_smoke.ipynb"


def run(
    *args: str, cwd: Path | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RUNNER), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=180,
    )


def injected(output: Path) -> dict:
    nb = nbformat.read(output, as_version=4)
    cells = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "papermill should inject exactly one parameters cell"
    ns: dict = {}
    exec(cells[0].source, ns)  # the injected cell is plain assignments
    return {k: v for k, v in ns.items() if not k.startswith("__")}


def outputs_text(output: Path) -> str:
    nb = nbformat.read(output, as_version=4)
    return "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )


def write_notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(sources[0], metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources[1:]]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def test_cli_parameters_are_injected_and_output_printed(tmp_path):
    out = tmp_path / "smoke.ipynb"
    res = run(
        str(SMOKE),
        "-p",
        "run_id",
        "cli-run-1",
        "-p",
        "queue",
        "cpu",
        "-p",
        "record",
        "false",
        "-o",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == f"output: {out}"
    assert injected(out) == {"run_id": "cli-run-1", "queue": "cpu", "record": False}
    text = outputs_text(out)
    assert "run_id=cli-run-1 queue=cpu host=" in text
    assert "record=False: nothing written" in text


def test_yaml_file_parameters_and_cli_override(tmp_path):
    params = tmp_path / "params.yml"
    params.write_text("run_id: from-file\nqueue: gpu\nrecord: false\n")
    res = run(
        str(SMOKE), "-f", str(params), "-p", "queue", "cpu", "--output-dir", str(tmp_path / "o")
    )
    assert res.returncode == 0, res.stderr
    out = Path(res.stdout.strip().splitlines()[-1].removeprefix("output: "))
    # Named as a DAG task names its output: <notebook>__<run_id>.ipynb.
    assert out == tmp_path / "o" / "notebook_smoke__from-file.ipynb"
    assert injected(out) == {"run_id": "from-file", "queue": "cpu", "record": False}


def test_every_run_gets_a_run_id_and_a_deployed_notebook_is_found_by_name(tmp_path):
    deployed = tmp_path / "notebooks"
    deployed.mkdir()
    write_notebook(deployed / "echo.ipynb", "value = 'unset'\n", "print(repr(value))\n")
    env = {
        **__import__("os").environ,
        "CDAPROD_NOTEBOOKS_DIR": str(deployed),
        "CDAPROD_NOTEBOOK_OUTPUT": str(tmp_path / "out"),
    }
    res = run("echo", "-p", "value", "1", env=env, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    out = Path(res.stdout.strip().splitlines()[-1].removeprefix("output: "))
    params = injected(out)
    assert params["run_id"].startswith("cli__") and params["value"] == 1
    assert out == tmp_path / "out" / f"echo__{params['run_id']}.ipynb"


def test_output_dir_from_environment(tmp_path):
    env = {**__import__("os").environ, "CDAPROD_NOTEBOOK_OUTPUT": str(tmp_path / "env-out")}
    res = run(str(SMOKE), "-p", "record", "false", env=env)
    assert res.returncode == 0, res.stderr
    out = Path(res.stdout.strip().splitlines()[-1].removeprefix("output: "))
    assert out.parent == tmp_path / "env-out" and out.is_file()


def test_failing_cell_exits_non_zero_names_the_cell_and_keeps_partial_output(tmp_path):
    out = tmp_path / "failed.ipynb"
    res = run(
        str(SMOKE),
        "-p",
        "fail",
        "true",
        "-p",
        "record",
        "false",
        "-p",
        "run_id",
        "bad-1",
        "-o",
        str(out),
    )
    assert res.returncode == 1
    assert (
        "RuntimeError: notebook_smoke was asked to fail (run_id=bad-1, queue=default)" in res.stderr
    )
    assert "failing cell:" in res.stderr and "if fail:" in res.stderr
    assert f"partial output: {out}" in res.stderr
    assert "Traceback" not in res.stderr.split("failing cell:")[0]
    # The partial notebook is kept: cells before the failure ran, the error is recorded.
    assert out.is_file()
    assert "run_id=bad-1 queue=default host=" in outputs_text(out)
    nb = json.loads(out.read_text())
    errors = [
        o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert errors and errors[0]["ename"] == "RuntimeError"


def test_missing_parameter_file_is_a_clear_cli_error(tmp_path):
    res = run(str(SMOKE), "-f", str(tmp_path / "nope.yml"))
    assert res.returncode == 2
    assert f"error: parameter file not found: {tmp_path / 'nope.yml'}" in res.stderr
    assert "Traceback" not in res.stderr


def test_parameter_file_must_be_a_mapping(tmp_path):
    params = tmp_path / "list.yml"
    params.write_text("- a\n- b\n")
    res = run(str(SMOKE), "-f", str(params))
    assert res.returncode == 2
    assert "must hold a mapping" in res.stderr


def test_missing_notebook_is_a_clear_cli_error(tmp_path):
    res = run(str(tmp_path / "absent.ipynb"))
    assert res.returncode == 2
    assert "error: notebook not found" in res.stderr
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize(
    "value, expected",
    [("3", 3), ("2.5", 2.5), ("yes please", "yes please"), ("null", None), ("'007'", "007")],
)
def test_cli_values_are_yaml_scalars(tmp_path, value, expected):
    nb = write_notebook(tmp_path / "echo.ipynb", "value = 'unset'\n", "print(repr(value))\n")
    out = tmp_path / "echo-out.ipynb"
    res = run(str(nb), "-p", "value", value, "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert injected(out) == {"run_id": injected(out)["run_id"], "value": expected}
    assert outputs_text(out).strip() == repr(expected)
