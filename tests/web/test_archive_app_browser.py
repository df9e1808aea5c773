"""The archive app (services/archive_app, Streamlit) in headless Debian chromium beside the
archive's web service: refused without the ingress's user header, then, signed in, a
question answered with a cited clip that plays from its time, the browse page, and, for a
viewer, an agent tab that refuses to start runs. Screenshots land in artifacts/archive-app/.
The ingress itself (nginx auth_request) is not in front here: the browser sets the header as
the ingress would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from browser import chromium_script
from web_testlib import EDITOR, VIEWER_KEY, Archive

from platformctl.terraform_moto import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


class App(NamedTuple):
    url: str
    log: Path


@pytest.fixture(scope="module")
def app(archive: Archive, gold_run: dict, live_server: str, tmp_path_factory) -> Iterator[App]:
    pytest.importorskip("streamlit", reason="streamlit is not installed (the app extra)")
    port = free_port()
    log = tmp_path_factory.mktemp("archive-app") / "streamlit.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ARCHIVE_APP_ARCHIVE_URL": live_server,
        "ARCHIVE_APP_API_KEY": VIEWER_KEY,
        "ARCHIVE_APP_BIND_PORT": str(port),
    }
    command = [sys.executable, "-m", "services.archive_app", "serve"]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"streamlit did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield App(url, log)
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_sign_in_ask_play_the_cited_clip_and_browse(app: App, live_server: str) -> None:
    reason = chromium_script.missing()
    if reason:
        pytest.skip(reason)
    out = ROOT / "artifacts/archive-app"
    shutil.rmtree(out, ignore_errors=True)
    returncode, report = chromium_script.run(
        "archive_app_flow.mjs",
        {
            "ARCHIVE_URL": live_server,
            "APP_URL": app.url,
            "ARCHIVE_USER": EDITOR[0],
            "ARCHIVE_PASSWORD": EDITOR[1],
            "USER_HEADER": "X-Archive-User",
            "QUESTION": "Who waves at the ferry?",
            "OUT_DIR": str(out),
        },
        timeout=240,
    )
    assert returncode == 0 and report["ok"], (
        f"{json.dumps(report, indent=2)}\nstreamlit's log:\n{app.log.read_text()[-5000:]}"
    )
    steps = {s["name"]: s for s in report["steps"]}
    for name, step in steps.items():
        if name.startswith("first page blank"):
            warnings.warn(f"the app's first page stayed blank: {step['events']}", stacklevel=1)
    assert "harbour/h264_aac.mp4" in steps["answered"]["citation"]
    assert steps["played the cited clip"]["after"] > steps["played the cited clip"]["start"]
    assert steps["browsed"]["cards"] >= 1
    assert "agent runs refused to a viewer" in steps
    assert (out / "02-answered-and-playing.png").stat().st_size > 10_000
