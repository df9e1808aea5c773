"""Runs one of this directory's playwright-core scripts in headless Debian chromium and
returns the JSON report it prints last, or says why it cannot run here. The web service's
browser test and the platform's overview test share it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def missing() -> str | None:
    """Why a browser script cannot run on this machine, or None."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found: install the Debian package 'chromium' (make setup-apt)"
    if shutil.which("node") is None:
        return "node not found: install the Debian package 'nodejs' (make setup-apt)"
    if not (HERE / "node_modules/playwright-core").exists():
        return (
            "playwright-core not installed: run 'make setup-browser' (npm ci in tests/web/browser)"
        )
    return None


def run(script: str, env: dict[str, str], timeout: float = 180) -> tuple[int, dict[str, Any]]:
    """(exit code, report) of `node SCRIPT` with `env` added to this process's environment."""
    result = subprocess.run(
        ["node", script],
        cwd=HERE,
        env={**os.environ, "CHROMIUM": CHROMIUM, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no report from {script}:\n{result.stdout}\n{result.stderr}"
    return result.returncode, json.loads(lines[-1])
