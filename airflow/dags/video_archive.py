"""video_archive: bronze → silver → gold over the archive's sources, one notebook per layer.

bronze scans the sources in place and probes new files (CPU queue); silver makes
derivatives and runs the quality checks on the GPU queue; gold embeds, indexes and mails
the run summary. Every task runs a Papermill notebook from papermill/notebooks/ that calls
samples.video_archive.pipeline; settings (catalog DSN, derivatives dir, index backend,
SMTP) come from the workers' environment (VIDEO_ARCHIVE_*). The DAG runs on a schedule as
the local periodic rescan; in AWS the raw bucket's S3 events reach an SQS queue whose
sensor triggers it (dag video_archive_s3_events).
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG, Param
from notebook_tasks import notebook_task

RESCAN_SCHEDULE = os.environ.get("VIDEO_ARCHIVE_RESCAN_SCHEDULE", "@hourly")
SQS_QUEUE_URL = os.environ.get("VIDEO_ARCHIVE_SQS_QUEUE_URL", "")


with DAG(
    dag_id="video_archive",
    description="Video archive medallion pipeline: scan in place, derive, catalog and index.",
    schedule=RESCAN_SCHEDULE,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["video_archive", "papermill"],
    params={
        "sources": Param("", type="string", description="comma-separated; empty: all"),
        "batch_size": Param(200, type="integer", minimum=1),
    },
) as dag:
    bronze = notebook_task(
        "bronze",
        "video_archive_bronze",
        "cpu",
        {"sources": "{{ params.sources }}", "batch_size": "{{ params.batch_size }}"},
    )
    silver = notebook_task("silver", "video_archive_silver", "gpu")
    gold = notebook_task(
        "gold", "video_archive_gold", "cpu", {"batch_size": "{{ params.batch_size }}"}
    )
    bronze >> silver >> gold


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
        new_objects = SqsSensor(
            task_id="new_raw_objects",
            sqs_queue=SQS_QUEUE_URL,
            max_messages=10,
            num_batches=5,
            delete_message_on_reception=True,
            mode="reschedule",
            poke_interval=60,
        )
        trigger = TriggerDagRunOperator(
            task_id="trigger_video_archive",
            trigger_dag_id="video_archive",
            wait_for_completion=False,
        )
        new_objects >> trigger
