"""archive_agent: an objective worked through by the archive agent, every step recorded.

One Papermill task on the cpu queue runs papermill/notebooks/archive_agent.ipynb over
samples.archive_agent: a task list in the BabyAGI pattern whose tools search the archive,
describe a video, find its scenes, cut a clip (into the social derivatives directory) and
draft a post into the content calendar. Drafts only: publishing still needs a person's
approval in the calendar. The rule planner understands "find N clips about TOPIC [and draft
posts for them]"; with ARCHIVE_QA_LLM_BASE_URL set on the workers an endpoint plans instead.
Hard limits on steps, time and tool calls end every run; the output notebook lists each
step (task, tool, arguments, result or error) and the run's status; the task's log has a
line per step as it happens.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, Param
from failure_mail import failure_notifiers
from notebook_tasks import notebook_task

with DAG(
    dag_id="archive_agent",
    description="Work through an objective over the archive with tools; drafts only.",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["archive_agent", "video_archive", "social", "papermill"],
    default_args={"on_failure_callback": failure_notifiers()},
    params={
        "objective": Param(type="string", minLength=1, maxLength=500, description="required"),
        "platform": Param("mastodon", type="string", minLength=1),
        "max_steps": Param(40, type="integer", minimum=1, maximum=200),
        "max_seconds": Param(600, type="integer", minimum=1, maximum=3600),
        "max_tool_calls": Param(40, type="integer", minimum=1, maximum=200),
    },
) as dag:
    notebook_task(
        "run_agent",
        "archive_agent",
        "cpu",
        {
            "objective": "{{ params.objective }}",
            "platform": "{{ params.platform }}",
            "max_steps": "{{ params.max_steps }}",
            "max_seconds": "{{ params.max_seconds }}",
            "max_tool_calls": "{{ params.max_tool_calls }}",
        },
        # Above the run's own max_seconds (at most an hour), so the agent stops itself first.
        execution_timeout=timedelta(minutes=70),
        # Each printed step goes into the task's log as it happens: the archive app's agent
        # page reads a run's steps from there (samples/archive_agent/step_lines.py).
        log_output=True,
    )
