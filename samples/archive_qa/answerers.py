"""The answer step, pluggable: offline and extractive by default, or any OpenAI-compatible
endpoint the settings name. Both answer from the same passages and cite them the same way:
asset id and time range.

The endpoint gets the passages numbered, within ``max_context_chars``, and is told to answer
only from them and to cite them as [n]; the passages it cites become the answer's sources.
When it fails (unreachable, too slow, refused, empty) the extractive answer is given
instead, with a notice saying why: a question is never left without what the archive has.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from integrations.openai_compatible import ChatEndpoint, ChatEndpointError
from samples.archive_qa.conversation import Turn, as_messages
from samples.archive_qa.passages import Passage
from samples.archive_qa.settings import QASettings

# Passages an extractive answer quotes.
EXTRACTIVE_QUOTES = 3
_CITED = re.compile(r"\[(\d{1,3})\]")
SYSTEM_PROMPT = (
    "You answer questions about a video archive using only the numbered passages given. "
    "Cite every passage you use as [n]. If the passages do not answer the question, say so. "
    "Be brief."
)


@dataclass(frozen=True)
class Answer:
    """The answer text, the passages it rests on, which answerer wrote it, and a notice when
    the configured answerer could not (the fallback's reason)."""

    text: str
    sources: list[Passage]
    answerer: str
    notice: str | None = None
    cited: list[int] = field(default_factory=list)


class Answerer(Protocol):
    name: str

    def answer(self, question: str, passages: Sequence[Passage], history: Sequence[Turn]) -> Answer:
        """An answer from ``passages`` (never empty: callers answer "nothing found" first)."""
        ...


class ExtractiveAnswerer:
    """The best passages, quoted and ranked, each with its citation. Needs no model."""

    name = "extractive"

    def answer(self, question: str, passages: Sequence[Passage], history: Sequence[Turn]) -> Answer:
        quoted = list(passages[:EXTRACTIVE_QUOTES])
        lines = ["From the archive:"]
        for number, passage in enumerate(quoted, start=1):
            lines.append(f'[{number}] "{passage.text}" ({passage.kind}, {passage.citation()})')
        return Answer("\n".join(lines), quoted, self.name, cited=list(range(1, len(quoted) + 1)))


class EndpointAnswerer:
    """An OpenAI-compatible endpoint writes the answer from the numbered passages."""

    name = "endpoint"

    def __init__(self, endpoint: ChatEndpoint, max_context_chars: int) -> None:
        self.endpoint = endpoint
        self.max_context_chars = max_context_chars
        self._fallback = ExtractiveAnswerer()

    def answer(self, question: str, passages: Sequence[Passage], history: Sequence[Turn]) -> Answer:
        sent = bounded(passages, self.max_context_chars)
        context = "\n".join(
            f"[{number}] ({p.citation()}) {p.text}" for number, p in enumerate(sent, start=1)
        )
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            *as_messages(history),
            {"role": "user", "content": f"Passages:\n{context}\n\nQuestion: {question}"},
        ]
        try:
            text = self.endpoint.complete(messages)
        except ChatEndpointError as exc:
            fallback = self._fallback.answer(question, passages, history)
            notice = f"the answer endpoint failed ({exc}); the best passages are shown instead"
            return Answer(
                fallback.text, fallback.sources, fallback.answerer, notice, fallback.cited
            )
        cited = sorted({int(n) for n in _CITED.findall(text) if 1 <= int(n) <= len(sent)})
        # Uncited, the answer still rests on what it was given: show those as its sources.
        sources = [sent[n - 1] for n in cited] or sent[:EXTRACTIVE_QUOTES]
        notice = (
            None if cited else "the endpoint cited no passage: the sources are what it was given"
        )
        return Answer(text, sources, self.name, notice, cited)


def bounded(passages: Sequence[Passage], max_chars: int) -> list[Passage]:
    """The best passages whose text fits in ``max_chars`` (at least one)."""
    kept: list[Passage] = []
    used = 0
    for passage in passages:
        if kept and used + len(passage.text) > max_chars:
            break
        kept.append(passage)
        used += len(passage.text)
    return kept


def endpoint_for(settings: QASettings) -> ChatEndpoint | None:
    """The OpenAI-compatible endpoint the settings name, or None (offline)."""
    if not settings.llm_base_url:
        return None
    return ChatEndpoint(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value(),
        timeout_s=settings.llm_timeout_s,
        max_tokens=settings.llm_max_tokens,
    )


def answerer_for(settings: QASettings) -> Answerer:
    """The endpoint when the settings name one, else the extractive answerer."""
    endpoint = endpoint_for(settings)
    if endpoint is None:
        return ExtractiveAnswerer()
    return EndpointAnswerer(endpoint, settings.max_context_chars)
