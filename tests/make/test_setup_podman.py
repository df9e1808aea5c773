"""scripts/setup-podman.sh picks the container runtime by Debian release and says so.

The build machines run Debian 12; the Debian 13 branch is exercised here with a stand-in
/etc/os-release and stand-in runtimes on PATH (a real Debian 13 controller is untested)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "setup-podman.sh"


def os_release(tmp_path: Path, version: str, codename: str) -> Path:
    path = tmp_path / "os-release"
    path.write_text(
        f'PRETTY_NAME="Debian GNU/Linux {version} ({codename})"\nID=debian\n'
        f'VERSION_ID="{version}"\nVERSION_CODENAME={codename}\n'
    )
    return path


def runtimes(tmp_path: Path, *names: str) -> Path:
    """A directory of stand-in runtimes that answer --version."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in names:
        stub = bin_dir / name
        stub.write_text(f"#!/bin/sh\necho '{name} version 1.0'\n")
        stub.chmod(0o755)
    return bin_dir


def run(tmp_path: Path, release: Path, bin_dir: Path) -> subprocess.CompletedProcess[str]:
    # Only the stand-ins and the basic tools: no real crun or runc of this machine.
    basic = tmp_path / "basic"
    basic.mkdir(exist_ok=True)
    for tool in ("stat", "sed", "cat", "mkdir", "printf"):
        found = next(
            (Path(d) / tool for d in ("/usr/bin", "/bin") if (Path(d) / tool).exists()), None
        )
        if found and not (basic / tool).exists():
            (basic / tool).symlink_to(found)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{basic}",
        "SETUP_OS_RELEASE": str(release),
        "SETUP_CONTAINERS_CONF_DIR": str(tmp_path / "conf.d"),
    }
    return subprocess.run(
        ["/bin/bash", str(SCRIPT)], capture_output=True, text=True, env=env, check=False
    )


def conf(tmp_path: Path) -> str:
    return (tmp_path / "conf.d" / "50-cdaprod-hosts.conf").read_text()


def test_debian_12_uses_runc(tmp_path):
    result = run(tmp_path, os_release(tmp_path, "12", "bookworm"), runtimes(tmp_path, "runc"))
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("podman: Debian 12 (bookworm) controller: podman 4")
    assert "runtime runc" in first and "Debian 12 (bookworm)" in first
    assert 'runtime = "runc"' in conf(tmp_path)


@pytest.mark.parametrize(("installed", "chosen"), [(("crun", "runc"), "crun"), (("runc",), "runc")])
def test_debian_13_prefers_crun_and_falls_back_to_runc(tmp_path, installed, chosen):
    result = run(tmp_path, os_release(tmp_path, "13", "trixie"), runtimes(tmp_path, *installed))
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("podman: Debian 13 (trixie) controller: podman 5, cgroup v2")
    assert f"runtime {chosen}" in first and "images Debian 12 (bookworm)" in first
    assert f'runtime = "{chosen}"' in conf(tmp_path)


def test_debian_13_without_a_runtime_says_what_to_install(tmp_path):
    result = run(tmp_path, os_release(tmp_path, "13", "trixie"), runtimes(tmp_path))
    assert result.returncode == 2
    assert "apt-get install crun" in result.stderr


def test_other_systems_are_refused_with_one_line(tmp_path):
    result = run(tmp_path, os_release(tmp_path, "11", "bullseye"), runtimes(tmp_path, "runc"))
    assert result.returncode == 2
    assert "Debian 12 (bookworm) and 13 (trixie)" in result.stderr


def test_a_second_run_changes_nothing(tmp_path):
    release, bin_dir = os_release(tmp_path, "13", "trixie"), runtimes(tmp_path, "crun")
    assert run(tmp_path, release, bin_dir).returncode == 0
    again = run(tmp_path, release, bin_dir)
    assert again.returncode == 0 and "already in place" in again.stdout
