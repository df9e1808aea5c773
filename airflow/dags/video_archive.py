"""video_archive: bronze → silver (fanned out over the workers) → gold, one notebook per step.

bronze scans the sources in place and probes new files (cpu queue). plan_silver lists the
assets that need derivatives, in batches; silver runs once per batch (dynamic task mapping)
on the `media` queue, which every worker consumes, CPU and GPU alike: each batch uses the
GPU where its worker has one, so adding workers adds throughput. gold indexes and mails the
run summary once, after every batch. Every step is a Papermill notebook over
samples.video_archive.pipeline; settings (catalog, derivatives, index, SMTP) come from the
workers' environment (VIDEO_ARCHIVE_*).

How a rescan starts: the schedule (VIDEO_ARCHIVE_RESCAN_SCHEDULE on the dag-processor; empty
means only when triggered), new objects in the raw bucket (S3 event → SQS →
video_archive_s3_events, where VIDEO_ARCHIVE_SQS_QUEUE_URL is set), a trigger from the UI or
the API, or, for a one-off outside Airflow, `video-archive scan`.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import DAG, Param, get_current_context, task
from failure_mail import failure_notifiers
from notebook_tasks import mapped_notebook_task, notebook_task

RESCAN_SCHEDULE = os.environ.get("VIDEO_ARCHIVE_RESCAN_SCHEDULE", "@hourly") or None
SQS_QUEUE_URL = os.environ.get("VIDEO_ARCHIVE_SQS_QUEUE_URL", "")
SQS_POKE_INTERVAL_S = int(os.environ.get("VIDEO_ARCHIVE_SQS_POKE_INTERVAL", "60"))
MEDIA_QUEUE = "media"
# A hung mount or a hostile file must not hold a run for ever: each try is bounded, and a
# failed try is retried with backoff (a retried silver batch redoes only what is missing).
STEP = {
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "execution_timeout": timedelta(hours=1),
}
# A silver batch's limit stays above its files' own bounds (batch size x 3 starts x the
# workers' VIDEO_ARCHIVE_FFMPEG_TIMEOUT_MAX_S of 900 s): a hostile file is quarantined by its
# own bound, not retried for ever by the task's.
SILVER = {**STEP, "execution_timeout": timedelta(hours=4)}


@task(queue="cpu", **STEP)
def plan_silver(batch_size: int) -> list[dict[str, Any]]:
    """The silver batches of this run: one parameter set per batch of asset ids."""
    from samples.video_archive.config import Settings
    from samples.video_archive.pipeline import plan_silver as pending_batches

    run_id = get_current_context()["run_id"]
    batches = pending_batches(Settings.load(), batch_size)
    return [{"run_id": run_id, "asset_ids": ids} for ids in batches]


with DAG(
    dag_id="video_archive",
    description="Video archive medallion pipeline: scan in place, derive, catalog and index.",
    schedule=RESCAN_SCHEDULE,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["video_archive", "papermill"],
    default_args={"on_failure_callback": failure_notifiers()},
    params={
        "sources": Param("", type="string", description="comma-separated; empty: all"),
        "batch_size": Param(200, type="integer", minimum=1),
        "silver_batch_size": Param(4, type="integer", minimum=1, description="assets a task"),
    },
) as dag:
    bronze = notebook_task(
        "bronze",
        "video_archive_bronze",
        "cpu",
        {"sources": "{{ params.sources }}", "batch_size": "{{ params.batch_size }}"},
        **STEP,
    )
    batches = plan_silver(batch_size="{{ params.silver_batch_size }}")
    silver = mapped_notebook_task("silver", "video_archive_silver", MEDIA_QUEUE, batches, **SILVER)
    # After every batch; also when there was nothing to derive (no batch: silver skipped).
    gold = notebook_task(
        "gold",
        "video_archive_gold",
        "cpu",
        {"batch_size": "{{ params.batch_size }}"},
        trigger_rule="none_failed",
        **STEP,
    )
    bronze >> batches >> silver >> gold


if SQS_QUEUE_URL:
    from airflow.providers.amazon.aws.sensors.sqs import SqsSensor
    from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator

    with DAG(
        dag_id="video_archive_s3_events",
        description="New raw objects (S3 event → SQS) trigger a video_archive run.",
        schedule="@continuous",
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        tags=["video_archive", "s3"],
    ) as events_dag:
        # On the cpu queue: the CPU workers' instance role may read and delete from the
        # queue. The standard AWS chain (instance role, AWS_* environment) gives the client.
        new_objects = SqsSensor(
            task_id="new_raw_objects",
            queue="cpu",
            aws_conn_id=None,
            sqs_queue=SQS_QUEUE_URL,
            max_messages=10,
            num_batches=5,
            delete_message_on_reception=True,
            mode="reschedule",
            poke_interval=SQS_POKE_INTERVAL_S,
        )
        trigger = TriggerDagRunOperator(
            task_id="trigger_video_archive",
            queue="cpu",
            trigger_dag_id="video_archive",
            wait_for_completion=False,
        )
        new_objects >> trigger
