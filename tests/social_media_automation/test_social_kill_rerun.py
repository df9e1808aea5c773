"""Kill the publisher mid-batch and run it again: the receiver still gets each approved post
exactly once (the idempotency key comes from the calendar row; the gateway's unique
constraint turns the repeat into a read of the first post)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from social_testlib import GATEWAY_KEY, STANDIN_TOKEN, ServedApp, SocialArchive

from integrations.airtable.client import ContentCalendar
from integrations.postgres.client import connect
from samples.social_media_automation.config import SocialSettings
from samples.social_media_automation.pipeline import draft

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """
[platforms.feed]
profile = "landscape"
caption_limit = 200
hashtag_limit = 5
"""


def _publisher(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "samples.social_media_automation", "publish"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _gateway_posts(dsn: str) -> int:
    with connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) AS n FROM social_gateway.posts").fetchone()
    return int(row["n"]) if row else 0


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.slow
def test_publisher_killed_mid_batch_then_rerun_posts_each_once(
    social_archive: SocialArchive,
    social_settings: SocialSettings,
    calendar: ContentCalendar,
    airtable: tuple[ServedApp, dict[str, Any]],
    receiver: Any,
    tmp_path: Path,
) -> None:
    yesterday = datetime.now(UTC) - timedelta(days=1)
    report = draft(social_settings, calendar, ["feed"], mode="all", now=yesterday)
    assert len(report.drafted) == 2, report
    calendar.approve([calendar.by_key()[key].record_id for key in report.drafted])
    config = tmp_path / "social.toml"
    config.write_text(CONFIG, encoding="utf-8")
    env = {
        **os.environ,
        "SOCIAL_CONFIG": str(config),
        "SOCIAL_CATALOG_DSN": social_archive.dsn,
        "SOCIAL_DERIVATIVES_DIR": str(social_settings.derivatives_dir),
        "SOCIAL_GATEWAY_URL": social_settings.gateway_url,
        "SOCIAL_GATEWAY_API_KEY": GATEWAY_KEY,
        "SOCIAL_AIRTABLE_TOKEN": STANDIN_TOKEN,
        "SOCIAL_AIRTABLE_BASE": "appSOCIAL",
        "SOCIAL_AIRTABLE_TABLE": "Content calendar",
        "SOCIAL_AIRTABLE_ENDPOINT": airtable[0].url,
    }

    # The gateway spaces "feed" posts 3 s apart: kill the publisher once the first post is
    # written back, while the second is waiting at the gateway.
    first = _publisher(env)
    _wait(lambda: len(calendar.rows("Published")) == 1, 60, "the first post")
    _wait(lambda: _gateway_posts(social_archive.dsn) == 2, 10, "the second request")
    assert len(receiver.received.posts) == 1  # the second is held by the rate limit
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    assert len(calendar.rows("Approved")) == 1  # killed mid-batch: one row not written back

    second = _publisher(env)
    _out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert sorted(r.draft_key for r in calendar.rows("Published")) == sorted(report.drafted)
    posts = receiver.received.posts
    assert len(posts) == 2, posts
    assert len({p["received_idempotency_key"] for p in posts}) == 2
    assert receiver.received.deliveries == 2
