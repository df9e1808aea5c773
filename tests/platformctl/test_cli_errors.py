"""Bad input to platformctl gives one clear line and exit status 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from platformctl.cli import main
from platformctl.paths import REPO_ROOT


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "platformctl", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_unknown_env_is_one_actionable_line():
    result = _run("plan", "--env", "staging")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "unknown ENV 'staging'" in lines[0]
    assert "local, emulated, dev, stage, prod" in lines[0]
    assert "Traceback" not in result.stderr


def test_unknown_optional_host_is_refused(capsys):
    assert main(["up", "--env", "local", "--with", "kafka"]) == 2
    err = capsys.readouterr().err
    assert "unknown optional host(s) kafka" in err
    assert "weaviate" in err


def test_missing_podman_says_what_to_do(tmp_path):
    # A PATH without podman (python itself is called by absolute path).
    result = _run("up", env={"PATH": str(tmp_path), "HOME": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "platformctl: error: podman is not installed: ENV=local runs its hosts as podman "
        "containers; run 'make setup' as root (or apt-get install podman runc)"
    )


def test_unknown_secret_name(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PLATFORM_STATE_DIR", str(tmp_path))
    assert main(["secret", "root_password"]) == 2
    assert "unknown secret 'root_password'" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["plan", "up"])
def test_make_rejects_unknown_env(target):
    result = subprocess.run(
        ["make", "-s", target, "ENV=qa"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "unknown ENV 'qa'" in result.stderr
