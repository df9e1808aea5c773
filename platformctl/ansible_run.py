"""Runs ansible-playbook with the project's configuration, streaming its output."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from platformctl.errors import PlatformError
from platformctl.paths import ANSIBLE_CONFIG, ANSIBLE_DIR, REPO_ROOT

_RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+"
    r"unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)"
)


@dataclass
class PlaybookResult:
    returncode: int
    changed: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)

    @property
    def total_changed(self) -> int:
        return sum(self.changed.values())


def ansible_playbook_binary() -> str:
    # Prefer the one beside this interpreter (.venv/bin), so PATH need not be set.
    beside = Path(sys.executable).parent / "ansible-playbook"
    found = str(beside) if beside.exists() else shutil.which("ansible-playbook")
    if not found:
        raise PlatformError("ansible-playbook not found: run 'make setup' to create .venv")
    return found


def run_playbook(
    playbook: str,
    *,
    inventory: Path | None = None,
    extra_vars: dict[str, str] | None = None,
    check: bool = False,
    extra_args: list[str] | None = None,
    environ: dict[str, str] | None = None,
) -> PlaybookResult:
    """Run `playbook` (relative to ansible/), echo its output and parse its recap."""
    cmd = [ansible_playbook_binary(), playbook]
    if inventory is not None:
        cmd += ["-i", str(inventory)]
    for key, value in (extra_vars or {}).items():
        cmd += ["-e", f"{key}={value}"]
    if check:
        cmd += ["--check", "--diff"]
    cmd += extra_args or []
    env = {
        **os.environ,
        **(environ or {}),
        # Where the roles find the repository's DAGs, notebooks and wheelhouse
        # (ansible/group_vars/all/repository.yml).
        "PLATFORM_REPOSITORY_DIR": str(REPO_ROOT),
        "ANSIBLE_CONFIG": str(ANSIBLE_CONFIG),
        "ANSIBLE_FORCE_COLOR": "0",
    }
    result = PlaybookResult(returncode=0)
    with subprocess.Popen(
        cmd,
        cwd=ANSIBLE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stdout.write(line)
            match = _RECAP.match(line.strip())
            if match:
                result.changed[match["host"]] = int(match["changed"])
                result.failed[match["host"]] = int(match["failed"]) + int(match["unreachable"])
    result.returncode = proc.returncode
    return result
