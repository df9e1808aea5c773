"""airflow_common deploys the DAG and plugin folders and prunes what the sources deleted.

Runs the role's dags_plugins.yml against folders under tmp_path on this machine (no
containers): a missing plugins source counts as empty, a file the source no longer has is
removed, bytecode caches stay, and a second run changes nothing."""

from __future__ import annotations

import grp
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from platformctl.paths import ANSIBLE_CONFIG, ANSIBLE_DIR

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the role deploys files owned by root")


def sync(tmp_path: Path, dags_src: Path, plugins_src: Path) -> tuple[int, str]:
    """Run the deploy-and-prune tasks; return (exit code, changed count) and fail on errors."""
    playbook = tmp_path / "sync.yml"
    playbook.write_text(
        "- hosts: localhost\n"
        "  connection: local\n"
        "  gather_facts: false\n"
        "  vars:\n"
        "    ansible_python_interpreter: '{{ ansible_playbook_python }}'\n"
        "  tasks:\n"
        "    - ansible.builtin.include_role:\n"
        "        name: airflow_common\n"
        "        tasks_from: dags_plugins.yml\n"
        "      vars:\n"
        f"        airflow_common_dags_src: {dags_src}\n"
        f"        airflow_common_plugins_src: {plugins_src}\n"
        f"        airflow_common_dags_dir: {tmp_path / 'host' / 'dags'}\n"
        f"        airflow_common_plugins_dir: {tmp_path / 'host' / 'plugins'}\n"
        f"        airflow_common_group: {grp.getgrgid(os.getegid()).gr_name}\n"
    )
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(ANSIBLE_CONFIG),
        "ANSIBLE_ROLES_PATH": str(ANSIBLE_DIR / "roles"),
        "ANSIBLE_NOCOLOR": "1",
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(playbook)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    return int(re.search(r"changed=(\d+)", out).group(1)), out


def tree(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "dags").mkdir(parents=True)
    (root / "dags" / "smoke.py").write_text("# a DAG\n")
    return root


def test_a_missing_plugins_source_counts_as_empty(tmp_path, repo):
    host = tmp_path / "host"
    (host / "plugins").mkdir(parents=True)
    (host / "dags").mkdir()
    (host / "plugins" / "retired.py").write_text("# deleted from the repository\n")
    sync(tmp_path, repo / "dags", repo / "plugins")
    assert tree(host / "dags") == ["smoke.py"]
    assert tree(host / "plugins") == []
    changed, out = sync(tmp_path, repo / "dags", repo / "plugins")
    assert changed == 0, out


def test_plugins_are_deployed_and_pruned_like_the_dags(tmp_path, repo):
    host = tmp_path / "host"
    (host / "plugins" / "__pycache__").mkdir(parents=True)
    (host / "dags").mkdir()
    (host / "dags" / "retired_dag.py").write_text("# deleted\n")
    (host / "plugins" / "retired.py").write_text("# deleted\n")
    (host / "plugins" / "__pycache__" / "notebook_tasks.cpython-311.pyc").write_bytes(b"")
    plugins = repo / "plugins"
    (plugins / "helpers").mkdir(parents=True)
    (plugins / "notebook_tasks.py").write_text("def notebook_task(): ...\n")
    (plugins / "helpers" / "names.py").write_text("NAME = 'x'\n")
    sync(tmp_path, repo / "dags", plugins)
    assert tree(host / "dags") == ["smoke.py"]
    assert tree(host / "plugins") == [
        "__pycache__/notebook_tasks.cpython-311.pyc",
        "helpers/names.py",
        "notebook_tasks.py",
    ]
    assert (host / "plugins" / "notebook_tasks.py").stat().st_mode & 0o777 == 0o640
    changed, out = sync(tmp_path, repo / "dags", plugins)
    assert changed == 0, out
