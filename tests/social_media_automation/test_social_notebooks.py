"""The DAG's two notebooks run with Papermill against the real fixtures (the DAG itself runs
on the Airflow hosts); the DAG passes only parameters the notebooks declare."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from social_testlib import GATEWAY_KEY, STANDIN_TOKEN, ServedApp, SocialArchive

from integrations.airtable.client import ContentCalendar
from samples.social_media_automation.config import SocialSettings

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "papermill" / "notebooks"
DAG = ROOT / "airflow" / "dags" / "social_media_automation.py"


def _parameters(notebook: Path) -> set[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    cell = next(c for c in cells if "parameters" in c.get("metadata", {}).get("tags", []))
    tree = ast.parse("".join(cell["source"]))
    return {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
            if isinstance(t, ast.Name)}  # fmt: skip


def test_dag_passes_declared_parameters_and_renders_on_gpu() -> None:
    tree = ast.parse(DAG.read_text(encoding="utf-8"))
    calls = {
        node.args[0].value: node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "notebook_task"
    }
    assert set(calls) == {"render_drafts", "publish_due"}
    render = calls["render_drafts"]
    assert render.args[2].id == "RENDER_QUEUE"
    assert 'RENDER_QUEUE = os.environ.get("SOCIAL_RENDER_QUEUE", "gpu")' in DAG.read_text()
    for call in calls.values():
        notebook = ast.literal_eval(call.args[1])
        assert (NOTEBOOKS / f"{notebook}.ipynb").is_file(), notebook
        # notebook_task adds run_id to the parameters it is given.
        given = call.args[3].keys if len(call.args) > 3 else []
        passed = {ast.literal_eval(k) for k in given} | {"run_id"}
        assert passed <= _parameters(NOTEBOOKS / f"{notebook}.ipynb"), notebook


@pytest.mark.slow
def test_draft_and_publish_notebooks(
    social_archive: SocialArchive,
    social_settings: SocialSettings,
    calendar: ContentCalendar,
    airtable: tuple[ServedApp, dict[str, Any]],
    receiver: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import papermill

    config = tmp_path / "social.toml"
    config.write_text('[platforms.feed]\nprofile = "landscape"\ncaption_limit = 200\n')
    for name, value in {
        "SOCIAL_CONFIG": str(config),
        "SOCIAL_CATALOG_DSN": social_archive.dsn,
        "SOCIAL_DERIVATIVES_DIR": str(social_settings.derivatives_dir),
        "SOCIAL_GATEWAY_URL": social_settings.gateway_url,
        "SOCIAL_GATEWAY_API_KEY": GATEWAY_KEY,
        "SOCIAL_AIRTABLE_TOKEN": STANDIN_TOKEN,
        "SOCIAL_AIRTABLE_BASE": "appSOCIAL",
        "SOCIAL_AIRTABLE_TABLE": "Content calendar",
        "SOCIAL_AIRTABLE_ENDPOINT": airtable[0].url,
    }.items():
        monkeypatch.setenv(name, value)
    papermill.execute_notebook(
        str(NOTEBOOKS / "social_draft.ipynb"), str(tmp_path / "draft.ipynb"),
        parameters={"run_id": "manual__nb", "platforms": "feed", "mode": "tag", "value": "ferry"},
        kernel_name="python3", progress_bar=False,
    )  # fmt: skip
    rows = calendar.rows("Draft")
    assert [r.platform for r in rows] == ["feed"] and rows[0].caption.startswith("ferry")
    # The slot is an hour ahead: approve it and move it to now, as a person would.
    calendar.table.update(rows[0].record_id, {"Status": "Approved", "Slot": "2026-01-01T00:00:00Z"})
    papermill.execute_notebook(
        str(NOTEBOOKS / "social_publish.ipynb"), str(tmp_path / "publish.ipynb"),
        parameters={"run_id": "manual__nb", "fail_on_failed_rows": True},
        kernel_name="python3", progress_bar=False,
    )  # fmt: skip
    assert [r.record_id for r in calendar.rows("Published")] == [rows[0].record_id]
    assert len(receiver.received.posts) == 1
