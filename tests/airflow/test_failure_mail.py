"""The failure e-mail's templates (airflow/plugins/failure_mail.py), rendered as Airflow renders
a notifier's fields: a sandboxed Jinja environment where an undefined name is an error. The
platform scenario sends a real one from a worker (molecule/platform/tests/test_monitoring.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from papermill.exceptions import PapermillExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "airflow" / "plugins"))
import failure_mail

TI = SimpleNamespace(
    dag_id="notebook_smoke",
    task_id="notebook_cpu",
    run_id="manual__2026-12-02T04:00:00+00:00",
    try_number=1,
    hostname="worker-cpu-1",
    log_url="https://airflow.example/dags/notebook_smoke/runs/x/tasks/notebook_cpu?try_number=1",
)


def render(template: str, **context) -> str:
    env = SandboxedEnvironment(undefined=StrictUndefined)
    return env.from_string(template).render(ti=TI, **context)


def test_a_failed_notebook_names_its_cell_and_error_escaped():
    error = PapermillExecutionError(
        cell_index=3,
        exec_count=4,
        source='if fail:\n    raise RuntimeError("<b>asked</b> to fail")',
        ename="RuntimeError",
        evalue="<b>asked</b> to fail",
        traceback=[],
    )
    subject = render(failure_mail.SUBJECT, exception=error)
    assert subject == (
        "[Airflow] notebook_smoke.notebook_cpu failed: RuntimeError: <b>asked</b> to fail"
    )
    body = render(failure_mail.BODY, exception=error)
    assert "cell [4]" in body
    assert "RuntimeError: &lt;b&gt;asked&lt;/b&gt; to fail" in body
    assert "raise RuntimeError(&#34;&lt;b&gt;asked" in body
    assert "<b>asked</b>" not in body
    assert TI.log_url in body and "worker-cpu-1" in body


def test_any_other_failure_shows_its_exception():
    body = render(failure_mail.BODY, exception=TimeoutError("the task ran over 3600 s"))
    assert "The error: <b>the task ran over 3600 s</b>" in body
    assert "cell" not in body
    assert render(failure_mail.SUBJECT, exception=TimeoutError("x")) == (
        "[Airflow] notebook_smoke.notebook_cpu failed"
    )


def test_a_callback_without_an_exception_still_renders():
    assert "The error" not in render(failure_mail.BODY)
    assert render(failure_mail.BODY, exception=None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", []), ("a@x.dev", ["a@x.dev"]), (" a@x.dev, ,b@x.dev ", ["a@x.dev", "b@x.dev"])],
)
def test_recipients_come_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("PLATFORM_FAILURE_MAIL_TO", value)
    assert failure_mail.recipients() == expected


def test_no_recipients_no_notifier(monkeypatch):
    monkeypatch.delenv("PLATFORM_FAILURE_MAIL_TO", raising=False)
    assert failure_mail.failure_notifiers() == []
