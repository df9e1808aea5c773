"""The conventions a DAG task and a command-line run of a notebook share."""

from __future__ import annotations

import datetime as dt

from core import notebook_runs


def test_locations_come_from_the_workers_environment_with_the_roles_defaults():
    env = {"CDAPROD_NOTEBOOKS_DIR": "/nb", "CDAPROD_NOTEBOOK_OUTPUT": "/out"}
    assert notebook_runs.notebook_path("notebook_smoke", env) == "/nb/notebook_smoke.ipynb"
    assert notebook_runs.output_dir(env) == "/out"
    assert notebook_runs.notebook_path("x", {}) == "/opt/cdaprod/papermill/notebooks/x.ipynb"
    assert notebook_runs.output_dir({}, default="output") == "output"
    assert notebook_runs.kernel({}) == "cdaprod"
    assert notebook_runs.kernel({}, default=None) is None


def test_outputs_are_named_after_notebook_and_run():
    assert notebook_runs.output_name("social_draft", "manual__1") == "social_draft__manual__1.ipynb"
    assert notebook_runs.output_name("smoke.ipynb", "r", "__cpu") == "smoke__r__cpu.ipynb"


def test_run_id_comes_first_and_a_given_one_wins():
    assert notebook_runs.with_run_id("r1", {"a": 1}) == {"run_id": "r1", "a": 1}
    assert notebook_runs.with_run_id("r1", {"run_id": "r0"})["run_id"] == "r0"


def test_cli_run_ids_look_like_airflows_and_say_who_started_them():
    moment = dt.datetime(2026, 11, 30, 15, 55, tzinfo=dt.UTC)
    assert notebook_runs.new_cli_run_id(moment) == "cli__2026-11-30T15:55:00.000000+00:00"
