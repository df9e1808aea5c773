"""The archive agent on the platform: the archive_agent DAG runs the rule planner's objective
on the cpu worker over the samples the first video_archive run catalogued, cuts its clips
into the shared social derivatives and drafts rows into the calendar stand-in, its task log
holding each step as it happened. Drafts only: nothing is approved or published by it."""

from __future__ import annotations

import json
import urllib.parse

import testinfra
from platform_api import PREFIX, Airflow, call, container_ip, quote

from samples.archive_agent.step_lines import read_progress
from services.archive_app.agent_runs import log_text
from tests import notebook_outputs

OUTPUT_DIR = "/opt/cdaprod/papermill/output"
CALENDAR = "/v0/appLOCALSTANDIN/" + urllib.parse.quote("Content calendar")
AIRTABLE_PORT = 8720  # platform_airtable_standin_port
# Two of the samples are about the harbour: the harbour clip (its subtitle) and the quay at
# dusk (its tags).
OBJECTIVE = "find two clips about the harbour and draft posts for them"


def test_the_agent_drafts_two_harbour_clips_from_a_worker(api, token, archive_run, secrets):
    assert archive_run["state"] == "success"
    agent = Airflow(api, token, "archive_agent")
    agent.unpause()
    run_id = agent.trigger({"objective": OBJECTIVE, "max_steps": 20})
    assert agent.wait_finished(run_id, 900) == "success", run_id
    worker = testinfra.get_host(f"podman://{PREFIX}worker-cpu-1")
    notebook = json.loads(
        worker.check_output("cat %s", f"{OUTPUT_DIR}/archive_agent__{run_id}.ipynb")
    )
    summary = notebook_outputs.printed_json(notebook, start="{\n")
    assert summary["status"] == "done", summary["reason"]
    drafted = [s for s in summary["steps"] if s["tool"] == "draft_post" and not s["error"]]
    assert len(drafted) == 2, summary["steps"]
    # The task's log has every step as it happened: what the app's agent page reads.
    status, log = agent.get(
        f"/dagRuns/{quote(run_id)}/taskInstances/run_agent/logs/1?full_content=true"
    )
    assert status == 200, log
    progress = read_progress(log_text(log["content"]))
    assert [s.tool for s in progress.steps] == [s["tool"] for s in summary["steps"]], progress
    assert progress.status == "done"

    status, body = call(
        "GET",
        f"http://{container_ip('social-gateway-1')}:{AIRTABLE_PORT}{CALENDAR}",
        headers={"Authorization": f"Bearer {secrets['airtable_standin_token']}"},
    )
    assert status == 200, body
    rows = [r["fields"] for r in body["records"] if r["fields"]["Draft Key"].startswith("agent:")]
    assert len(rows) == 2 and {r["Status"] for r in rows} == {"Draft"}, rows
    assert len({r["Asset ID"] for r in rows}) == 2
    for row in rows:
        assert row["Media"].startswith("/srv/social/derivatives/agent/"), row
        assert worker.file(row["Media"]).size > 0
