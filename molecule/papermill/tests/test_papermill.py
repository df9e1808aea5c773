"""The notebook runner on a host: kernelspec, notebooks, output location, CLI behaviour."""

from __future__ import annotations

import json
import os

HOST = os.environ.get("PAPERMILL_INSTANCE", "molecule-papermill")
testinfra_hosts = [f"podman://{HOST}"]

SMOKE = "/opt/cdaprod/papermill/notebooks/notebook_smoke.ipynb"
AS_SERVICE_USER = "setpriv --reuid=cdaprod --regid=cdaprod --init-groups env HOME=/opt/cdaprod "


def notebook(host, path):
    return json.loads(host.check_output("cat %s", path))


def injected(nb):
    cells = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(cells) == 1
    return "".join(cells[0]["source"])


def outputs_text(nb):
    """Stream output of all cells (nbformat stores it as a string or a list of lines)."""
    parts = [o.get("text", "") for c in nb["cells"] for o in c.get("outputs", [])]
    return "".join("".join(p) if isinstance(p, list) else p for p in parts)


def test_kernelspec_points_at_the_environment(host):
    specs = json.loads(host.check_output("/opt/cdaprod/venv/bin/jupyter kernelspec list --json"))
    spec = specs["kernelspecs"]["cdaprod"]["spec"]
    assert spec["argv"][0] == "/opt/cdaprod/venv/bin/python"
    assert spec["display_name"] == "Python 3 (cdaprod platform)"


def test_notebooks_and_output_directory(host):
    assert host.file(SMOKE).exists
    out = host.file("/opt/cdaprod/papermill/output")
    assert out.is_directory and out.user == "cdaprod" and out.mode == 0o750
    env = host.file("/etc/cdaprod/papermill.env").content_string
    assert 'CDAPROD_NOTEBOOK_OUTPUT="/opt/cdaprod/papermill/output"' in env
    assert 'CDAPROD_NOTEBOOK_KERNEL="cdaprod"' in env


def test_runner_runs_a_notebook_with_parameters(host):
    res = host.run(
        AS_SERVICE_USER + "cdaprod-notebook %s -p run_id molecule-1 -p queue cpu -p record false",
        SMOKE,
    )
    assert res.rc == 0, res.stderr
    line = res.stdout.strip().splitlines()[-1]
    # Output names are <notebook>__<run_id>.ipynb (core.notebook_runs), as DAG tasks name them.
    assert line == "output: /opt/cdaprod/papermill/output/notebook_smoke__molecule-1.ipynb"
    nb = notebook(host, line.removeprefix("output: "))
    params = injected(nb)
    assert 'run_id = "molecule-1"' in params and 'queue = "cpu"' in params
    text = outputs_text(nb)
    hostname = host.check_output("hostname")
    assert f"run_id=molecule-1 queue=cpu host={hostname}" in text
    # The named kernelspec ran it: the kernel's interpreter is the environment's.
    assert "python=/opt/cdaprod/venv/bin/python" in text


def test_runner_takes_a_yaml_parameter_file(host):
    host.run("printf 'run_id: from-yaml\\nrecord: false\\n' > /tmp/params.yml")
    res = host.run("cdaprod-notebook %s -f /tmp/params.yml -o /tmp/yaml-out.ipynb", SMOKE)
    assert res.rc == 0, res.stderr
    assert res.stdout.strip().endswith("output: /tmp/yaml-out.ipynb")
    assert 'run_id = "from-yaml"' in injected(notebook(host, "/tmp/yaml-out.ipynb"))


def test_failing_notebook_exits_non_zero_and_keeps_partial_output(host):
    res = host.run("cdaprod-notebook %s -p fail true -p record false -o /tmp/failed.ipynb", SMOKE)
    assert res.rc == 1
    assert "RuntimeError: notebook_smoke was asked to fail" in res.stderr
    assert "partial output: /tmp/failed.ipynb" in res.stderr
    nb = notebook(host, "/tmp/failed.ipynb")
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "RuntimeError"


def test_missing_parameter_file_is_a_clear_error(host):
    res = host.run("cdaprod-notebook %s -f /tmp/does-not-exist.yml", SMOKE)
    assert res.rc == 2
    assert "error: parameter file not found: /tmp/does-not-exist.yml" in res.stderr
    assert "Traceback" not in res.stderr
