"""social_media_automation: archive clips → Airtable content calendar → approved posts.

render_drafts selects new candidates from the archive catalog, renders one clip per platform
profile (on the GPU queue: ffmpeg is the heavy part) and adds Draft rows to the calendar.
People approve rows in Airtable; publish_due posts every due Approved row through the social
gateway, once (the idempotency key comes from the row, so a retried task cannot double-post).
Both steps are Papermill notebooks over samples.social_media_automation.pipeline; settings
(catalog DSN, derivatives dir, gateway, Airtable) come from the workers' environment
(SOCIAL_*, SOCIAL_AIRTABLE_*).
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG, Param
from failure_mail import failure_notifiers
from notebook_tasks import notebook_task

# Empty: runs only when triggered (the platform test triggers every run it checks).
SCHEDULE = os.environ.get("SOCIAL_SCHEDULE", "*/15 * * * *") or None
RENDER_QUEUE = os.environ.get("SOCIAL_RENDER_QUEUE", "gpu")  # "cpu" where no GPU host exists


with DAG(
    dag_id="social_media_automation",
    description="Render archive clips per platform, draft calendar rows, publish approved posts.",
    schedule=SCHEDULE,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["social", "papermill"],
    default_args={"on_failure_callback": failure_notifiers()},
    params={
        "platforms": Param("shorts,feed", type="string", description="comma-separated"),
        "mode": Param("new", enum=["new", "tag", "search", "all"]),
        "value": Param("", type="string", description="tag or saved search text"),
        "limit": Param(20, type="integer", minimum=1),
    },
) as dag:
    render_drafts = notebook_task(
        "render_drafts",
        "social_draft",
        RENDER_QUEUE,
        {
            "platforms": "{{ params.platforms }}",
            "mode": "{{ params.mode }}",
            "value": "{{ params.value }}",
            "limit": "{{ params.limit }}",
        },
    )
    publish_due = notebook_task("publish_due", "social_publish", "cpu")
    render_drafts >> publish_due
