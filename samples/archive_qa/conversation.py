"""The conversation so far, and what a follow-up question means in it.

A follow-up ("and when does it leave?") names its subject only through the earlier
question. Retrieval therefore searches with the previous question prepended when the new
one refers back (a pronoun or "there") or is too short to stand alone; a question that
names its own subject is searched as it is. An answer endpoint also gets the earlier turns
as messages, so it can resolve the reference itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Earlier turns kept: enough for a follow-up, bounded so a long chat stays cheap.
MAX_TURNS = 6
# Personal pronouns and "there"; determiners ("this week", "that boat") name their subject.
_REFERS_BACK = re.compile(r"\b(it|its|it's|they|them|their|there|he|she|him|her)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9']+")
_SHORT = 3


class HistoryError(ValueError):
    """The conversation given is not a list of question/answer turns."""


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str


def parse_history(raw: Sequence[Mapping[str, Any]] | str | None) -> list[Turn]:
    """``[{"question": ..., "answer": ...}, ...]`` (or that as JSON) -> the last MAX_TURNS."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise HistoryError(f"history must be a JSON list of turns: {exc}") from None
    if not isinstance(raw, list):
        raise HistoryError("history must be a list of {question, answer} turns")
    turns = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping) or not isinstance(item.get("question"), str):
            raise HistoryError(f"history turn {number} has no question: {item!r}")
        turns.append(Turn(item["question"], str(item.get("answer") or "")))
    return turns[-MAX_TURNS:]


def retrieval_query(question: str, history: Sequence[Turn]) -> str:
    """What to search for: the question, or for a follow-up the previous question with it."""
    if not history:
        return question
    words = _WORD.findall(question)
    if len(words) <= _SHORT or _REFERS_BACK.search(question):
        return f"{history[-1].question} {question}"
    return question


def as_messages(history: Sequence[Turn]) -> list[dict[str, str]]:
    messages: list[dict[str, str]] = []
    for turn in history:
        messages.append({"role": "user", "content": turn.question})
        messages.append({"role": "assistant", "content": turn.answer})
    return messages
