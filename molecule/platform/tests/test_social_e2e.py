"""The social-media sample end to end on the converged platform.

The sample videos are catalogued on archive-1 (role video_archive). The test triggers the
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
from platform_api import PREFIX, call, container_ip

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

# Kills a process tree on a worker: every process whose command line contains the marker, and
# all their descendants (the notebook's kernel runs the publishing code, as a child of the task
# runner). Plain /proc walking: the hosts' image may have no procps.
KILL_TREE = r"""
import os, signal, sys
marker = sys.argv[1].encode()
parents = {}
roots = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read()
        with open(f"/proc/{pid}/status") as f:
            ppid = next(int(l.split()[1]) for l in f if l.startswith("PPid:"))
    except (OSError, StopIteration):
        continue
    parents[int(pid)] = ppid
    if marker in cmdline and int(pid) != os.getpid():
        roots.append(int(pid))
doomed = set(roots)
grew = True
while grew:
    grew = False
    for pid, ppid in parents.items():
        if ppid in doomed and pid not in doomed:
            doomed.add(pid)
            grew = True
for pid in doomed:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
print(len(roots), len(doomed))
"""


def wait_for(predicate, timeout, what, interval=3.0):
    """predicate() until it returns something true; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


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
def dag(api, token):
    wait_for(
        lambda: call("GET", f"{api}/api/v2/dags/{DAG}", token=token)[0] == 200,
        300,
        f"the dag-processor to register {DAG}",
    )
    status, body = call("PATCH", f"{api}/api/v2/dags/{DAG}", {"is_paused": False}, token=token)
    assert status == 200 and body["is_paused"] is False, body
    return DAG


def trigger(api, token, conf):
    status, run = call(
        "POST",
        f"{api}/api/v2/dags/{DAG}/dagRuns",
        {"logical_date": None, "conf": conf},
        token=token,
    )
    assert status == 200, run
    return run["dag_run_id"]


def run_state(api, token, run_id):
    _, body = call(
        "GET", f"{api}/api/v2/dags/{DAG}/dagRuns/{urllib.parse.quote(run_id, safe='')}", token=token
    )
    return body.get("state") if isinstance(body, dict) else None


def wait_finished(api, token, run_id, timeout):
    def finished():
        state = run_state(api, token, run_id)
        return state if state in ("success", "failed") else None

    return wait_for(finished, timeout, f"DAG run {run_id} to finish", interval=5)


def task_instance(api, token, run_id, task_id):
    url = (
        f"{api}/api/v2/dags/{DAG}/dagRuns/{urllib.parse.quote(run_id, safe='')}"
        f"/taskInstances/{task_id}"
    )
    status, body = call("GET", url, token=token)
    return body if status == 200 else None


def ours(posts, keys):
    return [p for p in posts if p.get("received_idempotency_key") in keys]


def test_approved_posts_arrive_exactly_once_despite_a_killed_publisher(
    api, token, dag, calendar, received
):
    # Three candidates are enough to approve two (each is an ffmpeg render on 2 cores). The
    # DAG has no schedule here (molecule/platform/converge.yml): only these runs happen.
    conf = {"platforms": PLATFORM, "mode": "all", "limit": 3}

    # 1. Render and draft: one Draft row per sample video for `feed`.
    first = trigger(api, token, conf)
    state = wait_finished(api, token, first, FIRST_RUN_TIMEOUT)
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
    keys = {f"calendar-{r['id']}": r for r in chosen}  # the publisher's idempotency keys
    assert ours(received(), keys) == [], "the receiver already has posts of these rows"

    # 3. Publish, and kill the publisher once the first post has arrived (the gateway spaces
    #    feed posts 6 s apart, so the second one is still to come).
    second = trigger(api, token, conf)
    wait_for(
        lambda: ours(received(), keys),
        FIRST_POST_TIMEOUT,
        f"the first post of run {second} at the receiver",
        interval=0.5,
    )
    ti = task_instance(api, token, second, "publish_due")
    assert ti and ti.get("hostname"), f"publish_due of {second} has no worker: {ti}"
    worker = PREFIX + ti["hostname"].split(".")[0]
    # The task runner's process title is "airflow worker -- <task instance id>".
    marker = f"airflow worker -- {ti['id']}"
    killed = subprocess.run(
        ["podman", "exec", worker, "python3", "-c", KILL_TREE, marker],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert killed.returncode == 0, killed.stderr
    roots = int(killed.stdout.split()[0])
    print(f"killed publish_due of {second} on {worker}: {killed.stdout.strip()}")
    # Failed, unless task retries are configured (a retry publishes with the same keys).
    state = wait_finished(api, token, second, RUN_TIMEOUT)
    print(f"run {second} with the killed publisher ({roots} task runner(s)) ended {state}")

    # 4. Re-run until both rows are published (a post still in flight at the gateway when the
    #    publisher died leaves its row Approved for the next run).
    reruns = 3
    for _ in range(reruns):
        rerun = trigger(api, token, conf)
        state = wait_finished(api, token, rerun, RUN_TIMEOUT)
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
        row = keys[post["received_idempotency_key"]]
        media = row["fields"]["Media"]
        assert post["media"]["name"] == Path(media).name, (post["media"], media)
        digest = subprocess.run(
            ["podman", "exec", PREFIX + STANDINS_HOST, "sha256sum", media],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout.split()[0]  # fmt: skip
        assert post["media"]["sha256"] == digest, f"post of {row['id']} carries another clip"
        assert post["text"] == rows[row["id"]]["fields"]["Caption"]
