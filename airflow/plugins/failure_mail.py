"""An e-mail about every task that fails for good, from Airflow's own SMTP notifier.

The worker that ran the task sends it (Airflow 3 runs task callbacks in the task's process).
For a notebook task it names the failing cell and its error, as papermill reports them, so a
person sees what broke without opening the log; for any other task, the exception. A try that
Airflow retries sends nothing; the DAG run's failure is also an alert (AirflowDagRunFailed).

Recipients come from the platform (PLATFORM_FAILURE_MAIL_TO, comma-separated, read when the
DAG file is parsed); the SMTP server from the connection ``smtp_notifications`` (the workers'
AIRFLOW_CONN_SMTP_NOTIFICATIONS, with the sender as its ``from_email`` extra). Without
recipients no notifier is attached. DAG files say
``default_args={"on_failure_callback": failure_notifiers()}``.
"""

from __future__ import annotations

import os
from typing import Any

CONN_ID = "smtp_notifications"

SUBJECT = (
    "[Airflow] {{ ti.dag_id }}.{{ ti.task_id }} failed"
    "{% if exception is defined and exception is not none and exception.ename is defined %}"
    ": {{ exception.ename }}: {{ exception.evalue | truncate(120) }}{% endif %}"
)

# Rendered by Airflow in the DAG's sandboxed Jinja environment (undefined names are errors,
# hence the `is defined` tests); every value that comes from the run is escaped.
BODY = """<p>The task <b>{{ ti.task_id | e }}</b> of the DAG <b>{{ ti.dag_id | e }}</b> failed on
{{ ti.hostname | e }} (run {{ ti.run_id | e }}, try {{ ti.try_number }}).</p>
{% if exception is defined and exception is not none %}
{% if exception.ename is defined %}
<p>The notebook failed in cell [{{ exception.exec_count }}] with
<b>{{ exception.ename | e }}: {{ exception.evalue | e }}</b></p>
<p>The cell:</p>
<pre>{{ exception.source | e }}</pre>
<p>The partial output notebook is kept on the worker.</p>
{% else %}
<p>The error: <b>{{ exception | string | e }}</b></p>
{% endif %}
{% endif %}
<p>Log: <a href="{{ ti.log_url | e }}">{{ ti.log_url | e }}</a></p>
"""


def recipients() -> list[str]:
    return [
        a.strip() for a in os.environ.get("PLATFORM_FAILURE_MAIL_TO", "").split(",") if a.strip()
    ]


def failure_notifiers() -> list[Any]:
    """The notifiers a DAG's tasks call when they fail for good: none without recipients."""
    to = recipients()
    if not to:
        return []
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    return [SmtpNotifier(to=to, smtp_conn_id=CONN_ID, subject=SUBJECT, html_content=BODY)]
