"""The archive_qa notebook runs with Papermill as the DAG runs it (filters and history as
JSON), and its output notebook holds the answer and its sources; bad parameters fail its
cell with the clear error, before the catalog or the model is opened."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import papermill
from samples.video_archive.relevance import SOURCE
from tests import notebook_outputs

pytestmark = pytest.mark.slow
NOTEBOOK = Path(__file__).resolve().parents[2] / "papermill" / "notebooks" / "archive_qa.ipynb"


def _run(described, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **parameters) -> dict:
    config = tmp_path / "empty.toml"  # keeps a personal config file out of the test
    config.write_text("")
    monkeypatch.setenv("VIDEO_ARCHIVE_CONFIG", str(config))
    monkeypatch.setenv("ARCHIVE_QA_CONFIG", str(config))
    monkeypatch.delenv("ARCHIVE_QA_LLM_BASE_URL", raising=False)
    output = tmp_path / "archive_qa.out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(output),
        parameters={
            "run_id": "manual__qa_test",
            "catalog_dsn": described.dsn,
            "lancedb_dir": str(described.index_dir),
            "index_backend": "lancedb",
            **parameters,
        },
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    notebook = notebook_outputs.load(output)
    return {
        "result": notebook_outputs.printed_json(notebook),
        "markdown": notebook_outputs.markdown(notebook),
    }


def test_the_output_notebook_holds_the_answer_and_its_sources(
    described, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _run(
        described,
        tmp_path,
        monkeypatch,
        question="and is there a gale warning for it?",
        filters=json.dumps({"source": SOURCE, "tags": ["harbour"]}),
        history=json.dumps([{"question": "Who lights the lighthouse lamp?", "answer": "x"}]),
        k=3,
    )
    result = shown["result"]
    assert result["answerer"] == "extractive"
    first = result["sources"][0]
    assert first["location"] == f"{SOURCE}:harbour/lighthouse_storm.mp4"
    assert first["kind"] == "subtitles" and "Gale warnings" in first["text"]
    assert f"asset {first['asset_id']} at {first['time_range']}" in result["answer"]
    assert len(result["passages"]) <= 3
    assert "Gale warnings" in shown["markdown"] and "| score |" in shown["markdown"]


def test_an_unknown_filter_fails_the_cell_with_a_clear_error(
    described, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(papermill.PapermillExecutionError) as failed:
        _run(described, tmp_path, monkeypatch, question="ferry?", filters='{"colour": "red"}')
    assert failed.value.ename == "FilterError"
    assert "unknown filter 'colour'" in failed.value.evalue


def _reader_dsn(dsn: str) -> str:
    """A login that may only read the catalogue's tables (as the workers' archive_reader)."""
    import os

    import psycopg
    from psycopg import sql

    name, password = f"qa_reader_{os.getpid()}", "reader-" + "r" * 16
    with psycopg.connect(dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(name), sql.Literal(password)
                )
            )
        conn.execute(
            sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(
                sql.Identifier(name)
            )
        )
    return psycopg.conninfo.make_conninfo(dsn, user=name, password=password)


def test_the_command_line_runner_answers_a_question_as_the_dag_does(
    described, tmp_path: Path
) -> None:
    """papermill/execute_notebooks.py, the by-hand run of a DAG task's notebook, reading the
    catalogue as a role that can only read it (ARCHIVE_QA_CATALOG_DSN, as on the workers)."""
    import os
    import subprocess
    import sys

    root = NOTEBOOK.parents[2]
    config = tmp_path / "empty.toml"
    config.write_text("")
    env = {
        **os.environ,
        "VIDEO_ARCHIVE_CONFIG": str(config),
        "ARCHIVE_QA_CONFIG": str(config),
        "ARCHIVE_QA_CATALOG_DSN": _reader_dsn(described.dsn),
    }
    env.pop("ARCHIVE_QA_LLM_BASE_URL", None)
    env.pop("VIDEO_ARCHIVE_CATALOG_DSN", None)
    output = tmp_path / "cli.out.ipynb"
    parameters = {
        "question": "How long does the crossing to the island take?",
        "k": "2",
        "lancedb_dir": str(described.index_dir),
        "index_backend": "lancedb",
    }
    command = [sys.executable, str(root / "papermill/execute_notebooks.py"), str(NOTEBOOK)]
    for name, value in parameters.items():
        command += ["-p", name, value]
    done = subprocess.run(
        [*command, "-o", str(output), "--kernel", "python3"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = notebook_outputs.printed_json(notebook_outputs.load(output))
    first = result["sources"][0]
    assert first["location"] == f"{SOURCE}:harbour/ferry_dawn.mp4"
    assert "forty" in first["text"] and len(result["passages"]) <= 2
