"""The archive app through the platform's TLS ingress, in headless Debian chromium: a stranger
at app.DOMAIN is sent to the archive's login and comes back signed in (the ingress asks the
archive's whoami with the session cookie before anything reaches the app); a question is
answered with the harbour sample cited at its time, and the cited clip plays, its media on
the app's own name; the browse page shows the catalogue; an agent run started on the Agent
tab (archive_agent through Airflow's API, as the app's own Airflow user) shows its steps as
they come and how it ended. Screenshots go to artifacts/archive-app-platform/. Without a
session nothing gets through, not even with a name claimed in the header."""

from __future__ import annotations

import json
import sys

import pytest
from platform_api import DOMAIN, ROOT, container_ip, through_ingress

sys.path.insert(0, str(ROOT / "tests" / "web" / "browser"))
import chromium_script  # found on the path set just above


def test_strangers_are_sent_to_the_archive_login_and_claimed_names_count_for_nothing():
    status, _ = through_ingress("app", "/", headers={"X-Archive-User": "admin"})
    assert status == 302
    status, _ = through_ingress("app", "/api/v1/assets/1/media/poster")
    assert status == 302


def test_sign_in_ask_play_the_cited_clip_and_browse(archive_run, secrets):
    assert archive_run["state"] == "success"
    reason = chromium_script.missing()
    if reason:
        pytest.skip(reason)
    out = ROOT / "artifacts/archive-app-platform"
    returncode, report = chromium_script.run(
        "archive_app_flow.mjs",
        {
            "ARCHIVE_URL": f"https://archive.{DOMAIN}",
            "APP_URL": f"https://app.{DOMAIN}",
            "INGRESS_IP": container_ip("ingress-1"),
            "ARCHIVE_USER": "admin",
            "ARCHIVE_PASSWORD": secrets["archive_admin_password"],
            "QUESTION": "Who waves at the ferry?",
            "AGENT_OBJECTIVE": "find one clip about the harbour",
            "OUT_DIR": str(out),
        },
        timeout=900,
    )
    print(json.dumps(report, indent=2))
    assert returncode == 0 and report["ok"], report
    steps = {s["name"]: s for s in report["steps"]}
    assert "harbour/h264_aac.mp4" in steps["answered"]["citation"]
    assert steps["played the cited clip"]["src"].startswith(f"https://app.{DOMAIN}/api/v1/assets/")
    assert steps["browsed"]["cards"] >= 1
    # The agent run started from the app: its steps as they came, then how it ended.
    ended = steps["agent run ended"]
    assert "the agent ended: done" in ended["status"], ended
    tools = [line.split()[1] for line in ended["steps"]]
    assert tools[0] == "search_archive" and "cut_clip" in tools, ended["steps"]
