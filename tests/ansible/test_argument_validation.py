"""Bad role input stops the play before any change, with a message that says what to do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from platformctl.paths import ANSIBLE_CONFIG, ANSIBLE_DIR


def run_role_on_localhost(tmp_path: Path, role: str, role_vars: dict[str, str]) -> tuple[int, str]:
    """Apply one role to localhost in check mode; return the exit code and the output."""
    playbook = tmp_path / f"{role}.yml"
    playbook.write_text(
        "- hosts: localhost\n"
        "  connection: local\n"
        "  gather_facts: false\n"
        "  vars:\n"
        # The controller's own interpreter: discovery would find whatever python3 is on PATH.
        "    ansible_python_interpreter: '{{ ansible_playbook_python }}'\n"
        + "".join(f"    {name}: {value}\n" for name, value in role_vars.items())
        + f"  roles:\n    - {role}\n"
    )
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(ANSIBLE_CONFIG),
        "ANSIBLE_ROLES_PATH": str(ANSIBLE_DIR / "roles"),
        "ANSIBLE_NOCOLOR": "1",
    }
    # --check: even if validation were broken, nothing on this machine would change.
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            "localhost,",
            "--check",
            str(playbook),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def test_wrong_type_fails_at_argument_validation(tmp_path):
    rc, out = run_role_on_localhost(
        tmp_path, "common", {"common_unattended_upgrades_enabled": "sometimes"}
    )
    assert rc != 0
    assert "Validating arguments against arg spec" in out
    assert "common_unattended_upgrades_enabled" in out
    assert "bool" in out
    # Nothing after validation ran.
    assert "Install base packages" not in out


def test_missing_wheelhouse_says_how_to_build_it(tmp_path):
    missing = tmp_path / "no-such-wheelhouse.tar"
    rc, out = run_role_on_localhost(
        tmp_path, "wheelhouse_venv", {"wheelhouse_venv_archive": str(missing)}
    )
    assert rc != 0
    assert f"No wheelhouse at {missing}" in out
    assert "make wheelhouse" in out
    assert "Install the system packages the wheels need" not in out


def test_unset_wheelhouse_says_where_it_comes_from(tmp_path):
    # Roles have no default for what they take from the repository.
    rc, out = run_role_on_localhost(tmp_path, "wheelhouse_venv", {})
    assert rc != 0
    assert "wheelhouse_venv_archive must name the wheelhouse archive" in out
    assert "ansible/group_vars/all/repository.yml" in out
    assert "PLATFORM_REPOSITORY_DIR" in out


def test_unset_notebooks_say_where_they_come_from(tmp_path):
    rc, out = run_role_on_localhost(tmp_path, "papermill", {})
    assert rc != 0
    assert "papermill_notebooks_src and papermill_runner_src must name" in out
    assert "ansible/group_vars/all/repository.yml" in out
    assert "Install the Python environment from the wheelhouse" not in out
