"""The social-media sample end to end on the converged platform.

The sample videos are catalogued by the platform's first video_archive run on the workers
(conftest.archive_run). The test triggers the
``social_media_automation`` DAG through the Airflow API (platform ``feed``: the gateway's
signed webhook to the reference receiver on social-gateway-1), approves two of the Draft rows
in the Airtable stand-in (services/saas_standins/airtable.py on social-gateway-1, a local
stand-in of a few Airtable REST endpoints; the real Airtable is SaaS the build machines cannot
reach), triggers again and kills the publishing task (and its notebook kernel) on its worker
once the first post has arrived, then re-runs: the receiver must hold exactly the two
approved posts, one per row, each with its row's clip.

Everything is reached from the controller on the containers' private addresses (our own
containers on our own podman network); secrets come from the platform's secrets file.
"""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from platform_api import PREFIX, Airflow, call, container_ip, kill_task_runner, wait_for

DAG = "social_media_automation"
STANDINS_HOST = "social-gateway-1"
AIRTABLE_PORT = 8720  # platform_airtable_standin_port
RECEIVER_PORT = 8711  # platform_webhook_receiver_port
# The workers' SOCIAL_AIRTABLE_BASE / _TABLE (group_vars/airflow_worker.yml).
CALENDAR = "/v0/appLOCALSTANDIN/" + urllib.parse.quote("Content calendar")
PLATFORM = "feed"
# The first run renders three clips (ffmpeg on 2 cores, next to six other hosts).
FIRST_RUN_TIMEOUT = 900
RUN_TIMEOUT = 900
FIRST_POST_TIMEOUT = 600


@pytest.fixture(scope="module")
def standins():
    ip = container_ip(STANDINS_HOST)
    return f"http://{ip}:{AIRTABLE_PORT}", f"http://{ip}:{RECEIVER_PORT}"


@pytest.fixture(scope="module")
def calendar(standins, secrets):
    """GET/PATCH on the stand-in's content calendar table, with the platform's token."""
    airtable, _ = standins
    auth = {"Authorization": f"Bearer {secrets['airtable_standin_token']}"}

    def request(method, body=None):
        status, answer = call(method, airtable + CALENDAR, body, headers=auth)
        assert status == 200, (status, answer)
        return answer["records"]

    return request


@pytest.fixture(scope="module")
def received(standins):
    _, receiver = standins

    def posts():
        status, body = call("GET", f"{receiver}/posts")
        assert status == 200, body
        return body["posts"]

    return posts


@pytest.fixture(scope="module")
def social(api, token, archive_run):
    """The social DAG, unpaused, once the workers have catalogued the samples it clips."""
    assert archive_run["state"] == "success", "the archive's first run did not catalogue"
    airflow = Airflow(api, token, DAG)
    airflow.unpause()
    return airflow


def row_of(post, rows):
    """The approved row a post is of: the publisher's idempotency key is
    calendar-<record id>-r<revision> (the revision changes when a person edits the row)."""
    key = post.get("received_idempotency_key") or ""
    return next((row for rid, row in rows.items() if key.startswith(f"calendar-{rid}-r")), None)


def ours(posts, rows):
    return [p for p in posts if row_of(p, rows) is not None]


def test_approved_posts_arrive_exactly_once_despite_a_killed_publisher(social, calendar, received):
    # Three candidates are enough to approve two (each is an ffmpeg render on 2 cores). The
    # DAG has no schedule here (molecule/platform/converge.yml): only these runs happen.
    conf = {"platforms": PLATFORM, "mode": "all", "limit": 3}

    # 1. Render and draft: one Draft row per sample video for `feed`.
    first = social.trigger(conf)
    state = social.wait_finished(first, FIRST_RUN_TIMEOUT)
    assert state == "success", f"run {first} (render and draft) ended {state}"
    drafts = [
        r
        for r in calendar("GET")
        if r["fields"].get("Platform") == PLATFORM and r["fields"].get("Status") == "Draft"
    ]
    assert len(drafts) >= 2, f"expected 2+ Draft rows for {PLATFORM}, got {len(drafts)}"

    # 2. A person approves two rows, due now.
    chosen = sorted(drafts, key=lambda r: r["id"])[:2]
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    approve = [{"id": r["id"], "fields": {"Status": "Approved", "Slot": now}} for r in chosen]
    calendar("PATCH", {"records": approve})
    keys = {r["id"]: r for r in chosen}  # the rows whose posts count (see row_of)
    assert ours(received(), keys) == [], "the receiver already has posts of these rows"

    # 3. Publish, and kill the publisher once the first post has arrived (the gateway spaces
    #    feed posts 6 s apart, so the second one is still to come).
    second = social.trigger(conf)
    wait_for(
        lambda: ours(received(), keys),
        FIRST_POST_TIMEOUT,
        f"the first post of run {second} at the receiver",
        interval=0.5,
    )
    (ti,) = social.task_instances(second, "publish_due")
    assert ti.get("hostname"), f"publish_due of {second} has no worker: {ti}"
    killed = kill_task_runner(ti)
    roots = int(killed.split()[0])
    print(f"killed publish_due of {second} on {ti['hostname']}: {killed}")
    # Failed, unless task retries are configured (a retry publishes with the same keys).
    state = social.wait_finished(second, RUN_TIMEOUT)
    print(f"run {second} with the killed publisher ({roots} task runner(s)) ended {state}")

    # 4. Re-run until both rows are published (a post still in flight at the gateway when the
    #    publisher died leaves its row Approved for the next run).
    reruns = 3
    for _ in range(reruns):
        rerun = social.trigger(conf)
        state = social.wait_finished(rerun, RUN_TIMEOUT)
        assert state == "success", f"re-run {rerun} ended {state}"
        rows = {r["id"]: r for r in calendar("GET")}
        statuses = {rid: rows[rid]["fields"].get("Status") for rid in (r["id"] for r in chosen)}
        if set(statuses.values()) == {"Published"}:
            break
        assert "Failed" not in statuses.values(), [
            rows[rid]["fields"].get("Result") for rid in statuses
        ]
    else:
        pytest.fail(f"rows not Published after {reruns} re-runs: {statuses}")

    # 5. Exactly two posts, one per approved row, each with its row's clip.
    time.sleep(8)  # longer than the rate limit's spacing: a late duplicate would show
    posts = ours(received(), keys)
    assert len(posts) == 2, [p["received_idempotency_key"] for p in posts]
    assert len({p["received_idempotency_key"] for p in posts}) == 2
    for post in posts:
        row = row_of(post, keys)
        media = row["fields"]["Media"]
        assert post["media"]["name"] == Path(media).name, (post["media"], media)
        digest = subprocess.run(
            ["podman", "exec", PREFIX + STANDINS_HOST, "sha256sum", media],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout.split()[0]  # fmt: skip
        assert post["media"]["sha256"] == digest, f"post of {row['id']} carries another clip"
        assert post["text"] == rows[row["id"]]["fields"]["Caption"]
