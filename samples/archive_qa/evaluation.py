"""Retrieval quality on a fixed question set over the described samples
(samples/video_archive/relevance.py: 16 clips with subtitles written for the test, three of
them about the harbour). Shared by the test (tests/archive_qa/test_retrieval_quality.py) and
the benchmark (bench/archive_qa.py), so the figure in bench/results/ is the tested one.

Questions are asked as people ask them, mostly about what is said in a clip (its subtitles)
rather than its title. The score is the share of questions whose clip is cited among the
first three passages; "timed" is the share whose first passage from that clip is the
subtitle window holding the words the question is about.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from samples.archive_qa.passages import retrieve
from samples.video_archive.relevance import SOURCE
from samples.video_archive.search import Filters, SemanticBackend

TOP = 3


@dataclass(frozen=True)
class Question:
    text: str
    clip: str
    # A few words of the subtitle cue that answers it, or None when the answer is in the
    # title or description.
    cue_words: str | None = None


QUESTIONS: tuple[Question, ...] = (
    Question("How long does the crossing to the island take?", "harbour/ferry_dawn", "forty"),
    Question("Is there a last call for the island ferry?", "harbour/ferry_dawn", "last call"),
    Question("What fish did the crews catch this week?", "harbour/fishing_boats", "mackerel"),
    Question("Why should people mind the ropes?", "harbour/fishing_boats", "crates are heavy"),
    Question("When does the lighthouse keeper light the lamp?", "harbour/lighthouse_storm", "dusk"),
    Question("Are there gale warnings for the coast?", "harbour/lighthouse_storm", "gale"),
    Question("Where does the tram turn sharply?", "city/tram_lisbon", "turns sharply"),
    Question("How long did the bread dough rest?", "food/bakery", "overnight"),
    Question("What do the climbers put on before the ice?", "mountains/glacier_hike", "crampons"),
    Question("Which instruments rehearse in the basement club?", "music/jazz_rehearsal"),
    Question("How old is grandmother turning?", "family/birthday"),
    Question("How far is it to the finish for the runners?", "sport/marathon", "two hundred"),
    Question("Does the barn owl make any sound when it flies?", "nature/owl", "no sound"),
    Question("How many cars does the line produce an hour?", "work/factory_robots", "sixty"),
    Question("What happens to the camel caravan in the sandstorm?", "weather/desert_sandstorm"),
    Question("When will the harvested grapes be wine?", "garden/vineyard_harvest", "spring"),
    Question("What makes the volcano at the science fair erupt?", "school/science_fair", "vinegar"),
    Question("When does the dining car close on the night train?", "travel/night_train", "ten"),
    Question("Who is asked to join the first dance?", "events/wedding_dance", "join them"),
    Question("Who circles over the ferry as it leaves?", "harbour/ferry_dawn"),
)

# Questions nothing in the described samples is about: they must get no passages.
UNRELATED: tuple[str, ...] = (
    "What is the boiling point of liquid nitrogen?",
    "Explain the rules of cricket.",
    "Which stocks should I buy for my pension?",
)


def clip_of(location: str) -> str:
    return location.removeprefix(f"{SOURCE}:").removesuffix(".mp4")


def evaluate(conn: psycopg.Connection, backend: SemanticBackend, k: int = 5) -> dict[str, object]:
    """Top-3 and timed shares over QUESTIONS, and how many UNRELATED questions got passages."""
    misses: dict[str, list[str]] = {}
    untimed: dict[str, str] = {}
    for question in QUESTIONS:
        passages = retrieve(conn, backend, question.text, Filters(source=SOURCE), k=k)
        top = [clip_of(p.location) for p in passages[:TOP]]
        if question.clip not in top:
            misses[question.text] = top
            continue
        if question.cue_words is not None:
            own = next(p for p in passages if clip_of(p.location) == question.clip)
            if own.kind != "subtitles" or question.cue_words not in own.text.lower():
                untimed[question.text] = f"{own.kind}: {own.text}"
    answered_unrelated = {
        q: [p.text for p in retrieve(conn, backend, q, Filters(source=SOURCE), k=k)]
        for q in UNRELATED
    }
    timed_total = sum(1 for q in QUESTIONS if q.cue_words is not None)
    timed_found = sum(
        1 for q in QUESTIONS if q.cue_words is not None and q.text not in misses
    ) - len(untimed)
    return {
        "questions": len(QUESTIONS),
        "top3_share": round(1 - len(misses) / len(QUESTIONS), 3),
        "timed_share": round(timed_found / timed_total, 3),
        "misses": misses,
        "untimed": untimed,
        "unrelated_with_passages": {q: p for q, p in answered_unrelated.items() if p},
    }
