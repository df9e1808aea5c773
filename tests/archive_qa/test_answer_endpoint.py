"""The answer step against a real OpenAI-compatible server the tests start (conftest.py's
answer_server): llama.cpp's server with SmolLM2-135M-Instruct
(tests/archive_qa/answer_model_server.py). A 135M model answers
plausibly at best; what is under test is the protocol, the key, the bounds and the sources,
not the model's wisdom."""

from __future__ import annotations

import pytest

from integrations.openai_compatible import ChatEndpoint, ChatEndpointError
from platformctl.terraform_moto import free_port
from samples.archive_qa.answerers import EndpointAnswerer, answerer_for
from samples.archive_qa.conversation import Turn
from samples.archive_qa.qa import ask
from samples.archive_qa.settings import QASettings
from samples.video_archive.relevance import SOURCE
from samples.video_archive.search import Filters

pytestmark = pytest.mark.slow


def test_the_endpoint_answers_from_the_passages_with_sources(described, answer_server) -> None:
    base_url, key = answer_server
    settings = QASettings(llm_base_url=base_url, llm_api_key=key, llm_model="smollm2")
    answerer = answerer_for(settings)
    assert isinstance(answerer, EndpointAnswerer)
    result = ask(
        described.catalog.conn,
        described.backend,
        "How long does the crossing to the island take?",
        filters=Filters(source=SOURCE),
        answerer=answerer,
    )
    print(result.answer)
    assert result.answer.answerer == "endpoint", result.answer.notice
    assert result.answer.text.strip()
    # Its sources are passages it was given: cited ones, or all it was given with a notice.
    assert result.answer.sources
    assert all(source in result.passages for source in result.answer.sources)
    assert result.answer.cited or result.answer.notice


class RecordingEndpoint:
    """The real endpoint, keeping the messages each request sent."""

    def __init__(self, endpoint: ChatEndpoint) -> None:
        self.endpoint = endpoint
        self.sent: list[list[dict[str, str]]] = []

    def complete(self, messages, **options):
        self.sent.append(list(messages))
        return self.endpoint.complete(messages, **options)


def test_a_follow_up_goes_to_the_endpoint_with_the_conversation(described, answer_server):
    base_url, key = answer_server
    endpoint = RecordingEndpoint(ChatEndpoint(base_url, "smollm2", key, max_tokens=48))
    history = [Turn("When does the lighthouse keeper light the lamp?", "At dusk [1].")]
    result = ask(
        described.catalog.conn,
        described.backend,
        "and is there a storm warning there?",
        filters=Filters(source=SOURCE),
        history=history,
        answerer=EndpointAnswerer(endpoint, 6000),  # type: ignore[arg-type]
    )
    assert result.answer.answerer == "endpoint", result.answer.notice
    (messages,) = endpoint.sent
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"] == history[0].question
    assert "Gale warnings" in messages[3]["content"]  # the retrieved passage went along


def test_a_wrong_key_is_refused_and_the_passages_are_shown_instead(
    described, answer_server
) -> None:
    base_url, _ = answer_server
    with pytest.raises(ChatEndpointError, match=r"refused the API key \(401\)"):
        ChatEndpoint(base_url, "smollm2", "wrong-key").complete([{"role": "user", "content": "hi"}])
    answerer = EndpointAnswerer(ChatEndpoint(base_url, "smollm2", "wrong-key"), 6000)
    result = ask(
        described.catalog.conn,
        described.backend,
        "When does the dining car close on the night train?",
        filters=Filters(source=SOURCE),
        answerer=answerer,
    )
    assert result.answer.answerer == "extractive"
    assert "refused the API key" in (result.answer.notice or "")


def test_an_unreachable_endpoint_is_named_in_the_error() -> None:
    port = free_port()
    with pytest.raises(ChatEndpointError, match=f"cannot reach http://127.0.0.1:{port}/v1"):
        ChatEndpoint(f"http://127.0.0.1:{port}/v1", "m", timeout_s=2).complete(
            [{"role": "user", "content": "hi"}]
        )
