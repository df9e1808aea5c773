"""The pipeline's command line explains missing settings and unreachable services in one
line instead of a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from social_testlib import free_port

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "samples.social_media_automation", *args],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


def test_missing_settings_and_unreachable_catalog_are_one_line_errors(tmp_path: Path) -> None:
    missing = _run("draft", "--platform", "shorts", env={})
    assert missing.returncode == 2 and "SOCIAL_CATALOG_DSN" in missing.stderr
    assert "Traceback" not in missing.stderr
    env = {
        "SOCIAL_CATALOG_DSN": f"host=127.0.0.1 port={free_port()} dbname=x connect_timeout=2",
        "SOCIAL_DERIVATIVES_DIR": str(tmp_path),
        "SOCIAL_AIRTABLE_TOKEN": "pat-x",
        "SOCIAL_AIRTABLE_BASE": "appX",
    }
    down = _run("draft", "--platform", "shorts", env=env)
    assert down.returncode == 1, down.stderr
    assert down.stderr.startswith("social: cannot connect to the catalog at")
    unknown = _run("draft", "--platform", "myspace", env=env)
    assert unknown.returncode == 2 and "unknown platform(s) myspace" in unknown.stderr
