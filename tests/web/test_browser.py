"""The web UI in headless Debian chromium driven by playwright-core (tests/web/browser):
log in, search, open a video, play it, scrub, tag it, find it by the tag, see the
quarantine. Screenshots land in artifacts/browser/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from browser import chromium_script
from web_testlib import EDITOR

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_log_in_search_play_tag_and_find(live_server: str) -> None:
    reason = chromium_script.missing()
    if reason:
        pytest.skip(reason)
    out = ROOT / "artifacts/browser"
    shutil.rmtree(out, ignore_errors=True)
    returncode, report = chromium_script.run(
        "archive_flow.mjs",
        {
            "BASE_URL": live_server,
            "ARCHIVE_USER": EDITOR[0],
            "ARCHIVE_PASSWORD": EDITOR[1],
            "OUT_DIR": str(out),
            "QUERY": "lisbon tram",
            "NEW_TAG": "seen in browser",
        },
    )
    assert returncode == 0 and report["ok"], json.dumps(report, indent=2)
    steps = {s["name"]: s for s in report["steps"]}
    assert steps["played"]["after"] > steps["played"]["start"]
    assert steps["sources"]["quarantined"] == 3
    assert (out / "04-video-playing.png").stat().st_size > 10_000
