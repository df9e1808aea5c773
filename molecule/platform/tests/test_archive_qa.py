"""Questions over the archive on the platform: the archive_qa DAG runs its notebook on the
cpu worker over the catalog and index the first video_archive run filled (conftest.
archive_run), and the output notebook holds the answer with its sources. Bad input is
refused by the DAG's params when the run is triggered, before any task runs."""

from __future__ import annotations

import json
import shlex

import pytest
import testinfra
from platform_api import PREFIX, Airflow, call

from tests import notebook_outputs

OUTPUT_DIR = "/opt/cdaprod/papermill/output"


@pytest.fixture(scope="module")
def qa(api, token, archive_run):
    assert archive_run["state"] == "success"
    airflow = Airflow(api, token, "archive_qa")
    airflow.unpause()
    return airflow


def test_the_answer_and_its_sources_are_in_the_output_notebook(qa):
    # "The lighthouse keeper waves at the ferry." is the harbour sample's subtitle, 0-1 s.
    run_id = qa.trigger({"question": "Who waves at the ferry?", "k": 3})
    state = qa.wait_finished(run_id, 900)
    assert state == "success", run_id
    (ti,) = qa.task_instances(run_id, "ask")
    assert ti["hostname"].split(".")[0] == "worker-cpu-1"
    worker = testinfra.get_host(f"podman://{PREFIX}worker-cpu-1")
    notebook = json.loads(worker.check_output("cat %s", f"{OUTPUT_DIR}/archive_qa__{run_id}.ipynb"))
    result = notebook_outputs.printed_json(notebook)
    print(result["answer"])
    first = result["sources"][0]
    assert first["location"].endswith("harbour/h264_aac.mp4"), result["sources"]
    assert first["kind"] == "subtitles" and "lighthouse keeper" in first["text"]
    assert first["time_range"] == "00:00:00-00:00:01"
    assert f"asset {first['asset_id']} at 00:00:00-00:00:01" in result["answer"]


@pytest.mark.parametrize(
    ("conf", "says"),
    [
        ({"question": ""}, "question"),
        ({"question": "ferry?", "filters": {"colour": "red"}}, "colour"),
    ],
)
def test_bad_questions_are_refused_when_triggered(qa, api, token, conf, says):
    status, body = call(
        "POST",
        f"{api}/api/v2/dags/archive_qa/dagRuns",
        {"logical_date": None, "conf": conf},
        token=token,
    )
    assert status == 400, body
    assert says in json.dumps(body), body


def test_questions_read_the_catalogue_through_a_login_that_cannot_write_it():
    """ARCHIVE_QA_CATALOG_DSN on the workers (what the archive_qa notebook reads with): rows
    are read, a change is refused by PostgreSQL."""
    script = (
        "import os, psycopg\n"
        "with psycopg.connect(os.environ['ARCHIVE_QA_CATALOG_DSN']) as conn:\n"
        "    print('user', conn.execute('SELECT current_user').fetchone()[0])\n"
        "    print('assets', conn.execute('SELECT count(*) FROM assets').fetchone()[0])\n"
        "    try:\n"
        "        conn.execute('UPDATE assets SET title = title')\n"
        "        print('update allowed')\n"
        "    except psycopg.errors.InsufficientPrivilege:\n"
        "        print('update refused')\n"
    )
    worker = testinfra.get_host(f"podman://{PREFIX}worker-cpu-1")
    out = worker.check_output(
        f"set -a; . /etc/cdaprod/airflow.env; /opt/cdaprod/venv/bin/python -c {shlex.quote(script)}"
    )
    lines = dict(line.split(" ", 1) for line in out.splitlines())
    assert lines["user"] == "archive_reader", out
    assert int(lines["assets"]) > 0 and lines["update"] == "refused", out
