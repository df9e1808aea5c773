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
from airflow.providers.papermill.operators.papermill import PapermillOperator
from airflow.sdk import DAG, Param

NOTEBOOKS_DIR = os.environ.get("CDAPROD_NOTEBOOKS_DIR", "/opt/cdaprod/papermill/notebooks")
OUTPUT = os.environ.get("CDAPROD_NOTEBOOK_OUTPUT", "/opt/cdaprod/papermill/output")
KERNEL = os.environ.get("CDAPROD_NOTEBOOK_KERNEL", "cdaprod")
SCHEDULE = os.environ.get("SOCIAL_SCHEDULE", "*/15 * * * *")
RENDER_QUEUE = os.environ.get("SOCIAL_RENDER_QUEUE", "gpu")  # "cpu" where no GPU host exists


def _notebook(task_id: str, name: str, queue: str, parameters: dict[str, str]) -> PapermillOperator:
    return PapermillOperator(
        task_id=task_id,
        queue=queue,
        input_nb=f"{NOTEBOOKS_DIR}/social_{name}.ipynb",
        # run_id, not ds: API-triggered runs have no logical date.
        output_nb=f"{OUTPUT}/social_{name}__{{{{ run_id }}}}.ipynb",
        kernel_name=KERNEL,
        parameters={"run_id": "{{ run_id }}", **parameters},
    )


with DAG(
    dag_id="social_media_automation",
    description="Render archive clips per platform, draft calendar rows, publish approved posts.",
    schedule=SCHEDULE,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["social", "papermill"],
    params={
        "platforms": Param("shorts,feed", type="string", description="comma-separated"),
        "mode": Param("new", enum=["new", "tag", "search", "all"]),
        "value": Param("", type="string", description="tag or saved search text"),
        "limit": Param(20, type="integer", minimum=1),
    },
) as dag:
    render_drafts = _notebook(
        "render_drafts",
        "draft",
        RENDER_QUEUE,
        {
            "platforms": "{{ params.platforms }}",
            "mode": "{{ params.mode }}",
            "value": "{{ params.value }}",
            "limit": "{{ params.limit }}",
        },
    )
    publish_due = _notebook("publish_due", "publish", "cpu", {})
    render_drafts >> publish_due
