"""Running the repository's roles and plays from tests, as `make` and platformctl run them:
the project's ansible.cfg and roles, output without colour, the controller's own Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from platformctl.paths import ANSIBLE_CONFIG, ANSIBLE_DIR, REPO_ROOT

PLAYBOOK_BIN = Path(sys.executable).parent / "ansible-playbook"


def run_playbook(tmp_path: Path, playbook: str, args: list[str]) -> tuple[int, str]:
    """Write `playbook` (YAML text) into tmp_path and run it; return exit code and output."""
    if not PLAYBOOK_BIN.exists():
        pytest.skip("ansible-playbook is not installed in this environment")
    path = tmp_path / "play.yml"
    path.write_text(playbook, encoding="utf-8")
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(ANSIBLE_CONFIG),
        "ANSIBLE_ROLES_PATH": str(ANSIBLE_DIR / "roles"),
        "ANSIBLE_NOCOLOR": "1",
        "PLATFORM_REPOSITORY_DIR": str(REPO_ROOT),
    }
    result = subprocess.run(
        [str(PLAYBOOK_BIN), *args, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def apply_role_in_check_mode(
    tmp_path: Path, role: str, role_vars: dict[str, Any]
) -> tuple[int, str]:
    """One role on localhost in check mode (nothing here can change) with these variables:
    how tests show that bad input stops at validation, before any task."""
    extra = tmp_path / "vars.json"
    extra.write_text(json.dumps(role_vars), encoding="utf-8")
    playbook = (
        "- hosts: localhost\n  connection: local\n  gather_facts: false\n"
        # The controller's own interpreter: discovery would find whatever python3 is on PATH.
        "  vars:\n    ansible_python_interpreter: '{{ ansible_playbook_python }}'\n"
        f"  roles:\n    - {role}\n"
    )
    return run_playbook(tmp_path, playbook, ["-i", "localhost,", "--check", "-e", f"@{extra}"])
