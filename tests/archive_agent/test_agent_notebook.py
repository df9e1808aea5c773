"""The archive_agent notebook runs with Papermill as its DAG runs it, with the workers'
settings (SOCIAL_* for the catalogue, clips and calendar, VIDEO_ARCHIVE_* for the index),
and its output notebook holds every step and the run's status."""

from __future__ import annotations

from pathlib import Path

import pytest

import papermill
from integrations.airtable.client import ContentCalendar
from samples.archive_agent.step_lines import read_progress
from services.saas_standins.airtable import airtable_standin
from tests import notebook_outputs
from tests.social_media_automation.social_testlib import ServedApp

pytestmark = pytest.mark.slow
NOTEBOOK = Path(__file__).resolve().parents[2] / "papermill" / "notebooks" / "archive_agent.ipynb"
TOKEN = "pat-agent-notebook-" + "t" * 20


def test_the_output_notebook_holds_each_step_and_the_status(
    described, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = airtable_standin(TOKEN)
    served = ServedApp(app)
    try:
        config = tmp_path / "empty.toml"
        config.write_text("")
        for prefix in ("VIDEO_ARCHIVE", "ARCHIVE_QA", "SOCIAL"):
            monkeypatch.setenv(f"{prefix}_CONFIG", str(config))
        monkeypatch.delenv("ARCHIVE_QA_LLM_BASE_URL", raising=False)
        monkeypatch.setenv("SOCIAL_CATALOG_DSN", described.dsn)
        monkeypatch.setenv("SOCIAL_DERIVATIVES_DIR", str(tmp_path / "derivatives"))
        monkeypatch.setenv("SOCIAL_AIRTABLE_TOKEN", TOKEN)
        monkeypatch.setenv("SOCIAL_AIRTABLE_BASE", "appAGENTNB")
        monkeypatch.setenv("SOCIAL_AIRTABLE_ENDPOINT", served.url)
        output = tmp_path / "archive_agent.out.ipynb"
        papermill.execute_notebook(
            str(NOTEBOOK),
            str(output),
            parameters={
                "run_id": "manual__agent_test",
                "objective": "find two clips about the harbour and draft posts for them",
                "max_steps": 20,
                "lancedb_dir": str(described.index_dir),
                "index_backend": "lancedb",
            },
            kernel_name="python3",
            progress_bar=False,
            cwd=str(tmp_path),
        )
        calendar = ContentCalendar(TOKEN, "appAGENTNB", "Content calendar", endpoint_url=served.url)
        rows = calendar.rows()
    finally:
        served.stop()
    notebook = notebook_outputs.load(output)
    summary = notebook_outputs.printed_json(notebook, start="{\n")
    assert summary["status"] == "done", summary["reason"]
    assert [s["tool"] for s in summary["steps"]].count("draft_post") == 2
    # The progress lines came first, and read back as the app's agent page reads them.
    progress = read_progress(notebook_outputs.printed(notebook).split("{\n")[0])
    assert [s.tool for s in progress.steps] == [s["tool"] for s in summary["steps"]]
    assert progress.status == "done"
    markdown = notebook_outputs.markdown(notebook)
    assert "**Status:** done" in markdown and "| draft_post |" in markdown
    assert len(rows) == 2 and {r.status for r in rows} == {"Draft"}
