"""The web UI in headless Debian chromium driven by playwright-core (tests/web/browser):
log in, search, open a video, play it, scrub, tag it, find it by the tag, see the
quarantine. Screenshots land in artifacts/browser/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from web_testlib import EDITOR

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent / "browser"
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found: install the Debian package 'chromium' (make setup-apt)"
    if shutil.which("node") is None:
        return "node not found: install the Debian package 'nodejs' (make setup-apt)"
    if not (HERE / "node_modules/playwright-core").exists():
        return (
            "playwright-core not installed: run 'make setup-browser' (npm ci in tests/web/browser)"
        )
    return None


def test_log_in_search_play_tag_and_find(live_server: str) -> None:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    out = ROOT / "artifacts/browser"
    shutil.rmtree(out, ignore_errors=True)
    env = {
        **os.environ,
        "BASE_URL": live_server,
        "ARCHIVE_USER": EDITOR[0],
        "ARCHIVE_PASSWORD": EDITOR[1],
        "OUT_DIR": str(out),
        "QUERY": "lisbon tram",
        "NEW_TAG": "seen in browser",
        "CHROMIUM": CHROMIUM,
    }
    result = subprocess.run(
        ["node", "archive_flow.mjs"],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no report from the browser script:\n{result.stdout}\n{result.stderr}"
    report = json.loads(lines[-1])
    assert result.returncode == 0 and report["ok"], json.dumps(report, indent=2)
    steps = {s["name"]: s for s in report["steps"]}
    assert steps["played"]["after"] > steps["played"]["start"]
    assert steps["sources"]["quarantined"] == 3
    assert (out / "04-video-playing.png").stat().st_size > 10_000
