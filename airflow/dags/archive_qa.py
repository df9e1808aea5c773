"""archive_qa: a question answered from the video archive's passages, with sources.

One Papermill task on the cpu queue runs papermill/notebooks/archive_qa.ipynb over
samples.archive_qa: retrieval through the archive's one search path (subtitle windows with
their times, descriptions, titles, tags), then the answer step, extractive unless the
workers' ARCHIVE_QA_LLM_BASE_URL names an OpenAI-compatible endpoint. The output notebook
holds the answer, its citations (asset id and time range) and every retrieved passage with
its score. Trigger with conf {"question": "...", "filters": {...}, "k": 5, "history": [...]};
the params' schema refuses an empty question or an unknown filter before any task runs.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, Param
from failure_mail import failure_notifiers
from notebook_tasks import notebook_task

# The filters samples/archive_qa/filters.py reads (a test keeps the two lists equal).
FILTERS = {
    "source": {"type": "string"},
    "video_codec": {"type": "string"},
    "date_from": {"type": "string", "format": "date"},
    "date_to": {"type": "string", "format": "date"},
    "min_duration_s": {"type": "number", "minimum": 0},
    "max_duration_s": {"type": "number", "minimum": 0},
    "min_height": {"type": "integer", "minimum": 0},
    "max_height": {"type": "integer", "minimum": 0},
    "tags": {"type": "array", "items": {"type": "string"}},
}

with DAG(
    dag_id="archive_qa",
    description="Ask the archive: a question answered from its passages, with sources.",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["archive_qa", "video_archive", "papermill"],
    default_args={"on_failure_callback": failure_notifiers()},
    params={
        "question": Param(type="string", minLength=1, maxLength=1000, description="required"),
        "filters": Param({}, type="object", properties=FILTERS, additionalProperties=False),
        "k": Param(5, type="integer", minimum=1, maximum=20, description="passages"),
        "history": Param(
            [],
            type="array",
            items={
                "type": "object",
                "properties": {"question": {"type": "string"}, "answer": {"type": "string"}},
                "required": ["question"],
            },
            description="earlier turns, for a follow-up question",
        ),
    },
) as dag:
    notebook_task(
        "ask",
        "archive_qa",
        "cpu",
        {
            "question": "{{ params.question }}",
            "filters": "{{ params.filters | tojson }}",
            "k": "{{ params.k }}",
            "history": "{{ params.history | tojson }}",
        },
        # A question waits for the model to load (about 10 s) and one answer, not for ever.
        execution_timeout=timedelta(minutes=10),
    )
