"""Questions answered from the archive, with sources: the one entry point the notebook
(papermill/notebooks/archive_qa.ipynb, run by the archive_qa DAG), the CLI and the tests
share.

    result = ask(conn, backend, "How long does the island ferry take?", k=5)
    result.answer.text      # cites [n]; result.answer.sources name asset ids and times
    result.passages         # every retrieved passage with its score

Bad input stops before any search with a QuestionError (or FilterError/HistoryError from
parsing) whose message says what to change. A question the archive has nothing on is
answered "nothing found", never with unrelated passages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from samples.archive_qa.answerers import Answer, Answerer, ExtractiveAnswerer
from samples.archive_qa.conversation import Turn, retrieval_query
from samples.archive_qa.passages import Passage, retrieve
from samples.video_archive.search import Filters, SemanticBackend

MAX_QUESTION_CHARS = 1000
MAX_K = 20
NOTHING_FOUND = (
    "Nothing in the archive answers this question: no subtitle, description, title or tag "
    "is close enough. Try other words, or fewer filters."
)


class QuestionError(ValueError):
    """The question or its options cannot be asked as given; the message says why."""


@dataclass(frozen=True)
class QAResult:
    question: str
    searched_for: str
    answer: Answer
    passages: list[Passage]

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "searched_for": self.searched_for,
            "answer": self.answer.text,
            "answerer": self.answer.answerer,
            "notice": self.answer.notice,
            "sources": [p.as_dict() for p in self.answer.sources],
            "passages": [p.as_dict() for p in self.passages],
        }


def check_question(question: str, k: int) -> str:
    text = (question or "").strip()
    if not text:
        raise QuestionError("the question is empty: ask something about the archive")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question has {len(text)} characters; keep it under {MAX_QUESTION_CHARS}"
        )
    if not 1 <= k <= MAX_K:
        raise QuestionError(f"k must be between 1 and {MAX_K} passages, got {k}")
    return text


def ask(
    conn: psycopg.Connection,
    backend: SemanticBackend,
    question: str,
    *,
    filters: Filters | None = None,
    k: int = 5,
    history: Sequence[Turn] = (),
    answerer: Answerer | None = None,
) -> QAResult:
    """Answer ``question`` from the archive's passages (``k`` at most) that pass ``filters``."""
    text = check_question(question, k)
    query = retrieval_query(text, history)
    passages = retrieve(conn, backend, query, filters or Filters(), k=k)
    if not passages:
        answer = Answer(NOTHING_FOUND, [], "none")
    else:
        answer = (answerer or ExtractiveAnswerer()).answer(text, passages, history)
    return QAResult(text, query, answer, passages)


def describe(result: QAResult) -> str:
    """The answer and its passages as Markdown (the notebook's output)."""
    lines = [f"**Q:** {result.question}", "", f"**A:** {result.answer.text}"]
    if result.answer.notice:
        lines += ["", f"_Note: {result.answer.notice}_"]
    if result.passages:
        lines += ["", "| # | score | asset | time | kind | passage |", "|---|---|---|---|---|---|"]
        for number, p in enumerate(result.passages, start=1):
            text = p.text.replace("|", "\\|")
            lines.append(
                f"| {number} | {p.score:.3f} | {p.asset_id} ({p.location}) | {p.time_range} "
                f"| {p.kind} | {text} |"
            )
    return "\n".join(lines)


def history_of(raw: Sequence[Mapping[str, Any]]) -> list[Turn]:
    return [Turn(str(t["question"]), str(t.get("answer", ""))) for t in raw]
