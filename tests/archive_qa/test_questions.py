"""Questions through qa.ask on the described samples: answers cite asset ids and time
ranges, follow-ups use the conversation, and bad input gets a clear error, never a
traceback from deep inside."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from integrations.openai_compatible import ChatEndpoint
from samples.archive_qa.answerers import EndpointAnswerer, bounded
from samples.archive_qa.conversation import HistoryError, Turn, parse_history
from samples.archive_qa.filters import FilterError, parse_filters
from samples.archive_qa.passages import Passage, clock, cue_windows
from samples.archive_qa.qa import NOTHING_FOUND, QuestionError, ask, describe
from samples.video_archive.relevance import SOURCE
from samples.video_archive.search import Filters

pytestmark = pytest.mark.slow
HERE = Filters(source=SOURCE)


def test_an_answer_quotes_the_subtitle_and_cites_asset_and_time(described) -> None:
    result = ask(
        described.catalog.conn,
        described.backend,
        "How long does the crossing to the island take?",
        filters=HERE,
    )
    first = result.answer.sources[0]
    assert first.kind == "subtitles" and "forty minutes" in first.text
    assert first.location == f"{SOURCE}:harbour/ferry_dawn.mp4"
    # The two cues of the clip (0-2 s and 2-4 s) form one window.
    assert (first.start_s, first.end_s) == (0.0, 4.0)
    assert f"asset {first.asset_id} at 00:00:00-00:00:04" in result.answer.text
    assert result.answer.answerer == "extractive" and result.answer.notice is None
    assert [p.score for p in result.passages] == sorted(
        (p.score for p in result.passages), reverse=True
    )
    assert "forty minutes" in describe(result)


def test_a_follow_up_is_searched_with_the_question_it_follows(described) -> None:
    first = "When does the lighthouse keeper light the lamp?"
    history = [Turn(first, "At dusk.")]
    result = ask(
        described.catalog.conn,
        described.backend,
        "and is there a storm warning there?",
        filters=HERE,
        history=history,
    )
    assert result.searched_for.startswith(first)
    assert result.answer.sources[0].location.endswith("harbour/lighthouse_storm.mp4")
    # A question that names its own subject is searched as it is.
    alone = ask(
        described.catalog.conn,
        described.backend,
        "What fish did the crews catch this week?",
        filters=HERE,
        history=history,
    )
    assert alone.searched_for == "What fish did the crews catch this week?"


def test_filters_restrict_the_passages(described) -> None:
    question = "When does the lighthouse keeper light the lamp?"
    conn, backend = described.catalog.conn, described.backend
    harbour = ask(conn, backend, question, filters=parse_filters({"tags": ["harbour"]}))
    assert harbour.passages
    elsewhere = ask(conn, backend, question, filters=parse_filters({"tags": ["bakery"]}))
    assert all(p.location.endswith("food/bakery.mp4") for p in elsewhere.passages)
    nowhere = ask(conn, backend, question, filters=parse_filters({"source": "no-such-source"}))
    assert nowhere.passages == [] and nowhere.answer.text == NOTHING_FOUND


def test_a_question_about_nothing_in_the_archive_says_so(described) -> None:
    result = ask(
        described.catalog.conn, described.backend, "Explain the rules of cricket.", filters=HERE
    )
    assert result.passages == [] and result.answer.sources == []
    assert result.answer.text == NOTHING_FOUND


@pytest.mark.parametrize(
    ("question", "k", "message"),
    [
        ("", 5, "the question is empty"),
        ("   ", 5, "the question is empty"),
        ("x" * 1001, 5, "keep it under 1000"),
        ("Where is the ferry?", 0, "k must be between 1 and 20"),
    ],
)
def test_bad_questions_are_refused_before_any_search(question, k, message) -> None:
    with pytest.raises(QuestionError, match=message):
        # No catalog or backend is touched: the check comes first.
        ask(None, None, question, k=k)  # type: ignore[arg-type]


def test_bad_filters_and_histories_name_what_to_change() -> None:
    with pytest.raises(FilterError, match="unknown filter 'colour'; use any of source"):
        parse_filters({"colour": "red"})
    with pytest.raises(FilterError, match="filter 'date_from' cannot be 'yesterday'"):
        parse_filters('{"date_from": "yesterday"}')
    with pytest.raises(FilterError, match="must be a JSON object"):
        parse_filters("{source: nas}")
    assert parse_filters('{"source": "nas", "tags": "harbour", "video_codec": ""}') == Filters(
        source="nas", tags=("harbour",)
    )
    with pytest.raises(HistoryError, match="turn 1 has no question"):
        parse_history([{"answer": "yes"}])
    assert parse_history('[{"question": "a?", "answer": "b"}]') == [Turn("a?", "b")]


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A real TCP server that accepts and reads, and never answers: a hung endpoint."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                held.append(conn)
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/v1"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_an_endpoint_that_times_out_gives_the_passages_with_a_notice(
    described, silent_endpoint
) -> None:
    answerer = EndpointAnswerer(
        ChatEndpoint(silent_endpoint, "any", timeout_s=1.0), max_context_chars=6000
    )
    result = ask(
        described.catalog.conn,
        described.backend,
        "When does the dining car close on the night train?",
        filters=HERE,
        answerer=answerer,
    )
    assert result.answer.answerer == "extractive"
    assert "did not answer within 1 s" in (result.answer.notice or "")
    assert "dining car closes at ten" in result.answer.text


def test_context_sent_to_an_endpoint_is_bounded() -> None:
    passages = [
        Passage(n, "subtitles", "w" * 400, 0.0, 1.0, f"s:{n}.mp4", None, 1.0 - n / 10)
        for n in range(5)
    ]
    assert len(bounded(passages, 1000)) == 2
    assert len(bounded(passages, 10)) == 1  # the best passage always goes


def test_cue_windows_and_clock() -> None:
    cues = [
        {"start_s": 0.0, "end_s": 3.0, "text": "one"},
        {"start_s": 3.0, "end_s": 6.0, "text": "two"},
        {"start_s": 9.0, "end_s": 12.5, "text": "three"},
    ]
    assert cue_windows(cues) == [(0.0, 6.0, "one two"), (9.0, 12.5, "three")]
    assert clock(3725.5) == "01:02:05.5" and clock(4.0) == "00:00:04"
