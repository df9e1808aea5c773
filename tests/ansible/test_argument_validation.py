"""A role variable of the wrong type stops the play before any task, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from platformctl.paths import ANSIBLE_CONFIG, ANSIBLE_DIR


def test_wrong_type_fails_at_argument_validation(tmp_path):
    playbook = tmp_path / "wrong_type.yml"
    playbook.write_text(
        "- hosts: localhost\n"
        "  connection: local\n"
        "  gather_facts: false\n"
        "  vars:\n"
        "    common_unattended_upgrades_enabled: sometimes\n"
        "  roles:\n"
        "    - common\n"
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
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "Validating arguments against arg spec" in out
    assert "common_unattended_upgrades_enabled" in out
    assert "bool" in out
    # Nothing after validation ran.
    assert "Install base packages" not in out
