"""What the archive_qa notebook calls: parameters in, a result out, and its display. The
notebook stays three cells (parameters, ask, show) like the archive's layer notebooks."""

from __future__ import annotations

import json
from typing import Any

from samples.archive_qa.answerers import answerer_for
from samples.archive_qa.conversation import parse_history
from samples.archive_qa.filters import parse_filters
from samples.archive_qa.qa import QAResult, ask, check_question, describe
from samples.archive_qa.settings import QASettings
from samples.video_archive.catalog import open_catalog
from samples.video_archive.notebook_support import notebook_settings
from samples.video_archive.search import SemanticBackend


def answer_question(
    question: str,
    *,
    filters: Any = "",
    k: int | str = 5,
    history: Any = "",
    catalog_dsn: str = "",
    lancedb_dir: str = "",
    index_backend: str = "",
) -> QAResult:
    """Answer ``question`` as the notebook's parameters say. ``filters`` and ``history`` come
    as JSON (Airflow passes ``params | tojson``) or as objects (papermill -y). Every input is
    checked before the catalog or the model is opened."""
    check_question(question, int(k))
    parsed_filters = parse_filters(filters)
    turns = parse_history(history)
    qa_settings = QASettings.load()
    answerer = answerer_for(qa_settings)
    settings = notebook_settings(
        catalog_dsn=catalog_dsn or qa_settings.catalog_dsn,
        lancedb_dir=lancedb_dir,
        index_backend=index_backend,
    )
    # Only read: questions may run as a role that cannot migrate (or write) the catalogue.
    catalog = open_catalog(settings.catalog_dsn, migrate=False)
    backend = SemanticBackend(settings)
    try:
        return ask(
            catalog.conn,
            backend,
            question,
            filters=parsed_filters,
            k=int(k),
            history=turns,
            answerer=answerer,
        )
    finally:
        backend.close()
        catalog.close()


def show(result: QAResult) -> None:
    """The answer as Markdown for a person, then as JSON on stdout for whoever reads the
    output notebook (the platform's tests, a follow-up's ``history``)."""
    from IPython.display import Markdown, display

    display(Markdown(describe(result)))
    print(json.dumps(result.as_dict(), indent=1))
