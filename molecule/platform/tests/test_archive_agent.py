"""The archive agent on the platform: the archive_agent DAG runs the rule planner's objective
on the cpu worker over the samples the first video_archive run catalogued, cuts its clips
into the shared social derivatives and drafts rows into the calendar stand-in. Drafts only:
nothing is approved or published by it."""

from __future__ import annotations

import json
import urllib.parse

import testinfra
from platform_api import PREFIX, Airflow, call, container_ip

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
    printed = "".join(
        "".join(out["text"])
        for cell in notebook["cells"]
        for out in cell.get("outputs", [])
        if out.get("name") == "stdout"
    )
    summary = json.loads(printed[printed.index("{\n") :])
    print(printed[: printed.index("{\n")])
    assert summary["status"] == "done", summary["reason"]
    drafted = [s for s in summary["steps"] if s["tool"] == "draft_post" and not s["error"]]
    assert len(drafted) == 2, summary["steps"]

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
