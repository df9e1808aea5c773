"""Passages: what the archive says about its videos, in pieces an answer can quote and cite.

A question first goes through the archive's one search path (hybrid by default, with the
question's filters), which picks the candidate videos. Each candidate then gives passages:

* its subtitles, as windows of consecutive cues (at most WINDOW_S seconds), with their times;
* its description, its title and its tags, which speak of the whole clip.

Every passage is scored by the similarity of its embedding to the question's (the index's
own model), plus a small bonus for the video's place in the search ranking, so that of two
equally close passages the better-ranked video's comes first. Passages less similar than
MIN_SIMILARITY are not evidence of anything and are dropped: a question nothing in the
archive is about gets no passages, and says so, rather than the least bad ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg

from samples.video_archive.search import Filters, SemanticBackend, run_search

# Videos the search path is asked for; their passages are then ranked together.
CANDIDATE_VIDEOS = 10
# One subtitle passage covers consecutive cues spanning at most this long.
WINDOW_S = 10.0
WINDOW_CHARS = 500
# Measured on the described samples with all-MiniLM-L6-v2: questions about a clip score
# 0.35-0.75 against its passages, questions about nothing in the archive below 0.25.
MIN_SIMILARITY = 0.3
RANK_BONUS = 0.05


@dataclass(frozen=True)
class Passage:
    """A piece of what the archive says about one video; ``start_s``/``end_s`` locate it in
    the video (the whole clip for a description, title or tags)."""

    asset_id: int
    kind: str  # "subtitles", "description", "title" or "tags"
    text: str
    start_s: float
    end_s: float | None
    location: str
    title: str | None
    score: float = 0.0

    @property
    def time_range(self) -> str:
        end = "end" if self.end_s is None else clock(self.end_s)
        return f"{clock(self.start_s)}-{end}"

    def citation(self) -> str:
        """How an answer names this passage: asset id, time range and where the file is."""
        return f"asset {self.asset_id} at {self.time_range} ({self.location})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "asset_id": self.asset_id,
            "kind": self.kind,
            "text": self.text,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "time_range": self.time_range,
            "location": self.location,
            "title": self.title,
            "score": round(self.score, 4),
        }


def clock(seconds: float) -> str:
    """12.5 -> '00:00:12.5'; whole seconds without a fraction."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    fraction = seconds - whole
    tail = f"{fraction:.1f}"[1:] if fraction >= 0.05 else ""
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{tail}"


def retrieve(
    conn: psycopg.Connection,
    backend: SemanticBackend,
    query: str,
    filters: Filters,
    *,
    k: int,
    mode: str = "hybrid",
) -> list[Passage]:
    """The ``k`` passages that best answer ``query``, best first, from videos that pass
    ``filters``; an empty list when nothing in the archive is close enough."""
    page = run_search(conn, backend, query, mode, filters, limit=CANDIDATE_VIDEOS)
    if not page.items:
        return []
    candidates = _candidate_passages(conn, page.items)
    if not candidates:
        return []
    vectors, _ = backend.get()
    question = vectors.vector(query)
    texts = [_embedding_text(p) for p in candidates]
    similarities = np.asarray(vectors.embedder.embed(texts)) @ np.asarray(question)
    rank_of = {item["id"]: rank for rank, item in enumerate(page.items)}
    scored = []
    for passage, similarity in zip(candidates, similarities.tolist(), strict=True):
        if similarity < MIN_SIMILARITY:
            continue
        bonus = RANK_BONUS * (1 - rank_of[passage.asset_id] / len(page.items))
        scored.append(_with_score(passage, similarity + bonus))
    scored.sort(key=lambda p: p.score, reverse=True)
    return scored[:k]


def _with_score(passage: Passage, score: float) -> Passage:
    return Passage(**{**passage.__dict__, "score": score})


def _embedding_text(passage: Passage) -> str:
    # A passage is embedded with its video's title, as the index embeds whole videos: a
    # subtitle line alone ("Mind the ropes") says little about what is on screen.
    if passage.kind == "title" or not passage.title:
        return passage.text
    return f"{passage.title}. {passage.text}"


def _candidate_passages(conn: psycopg.Connection, cards: Sequence[dict[str, Any]]) -> list[Passage]:
    ids = [card["id"] for card in cards]
    by_id = {card["id"]: card for card in cards}
    described = conn.execute(
        "SELECT id, title, description, tags, duration_s FROM assets WHERE id = ANY(%s)",
        (ids,),
    ).fetchall()
    cues = conn.execute(
        "SELECT asset_id, start_s, end_s, text FROM subtitle_cues WHERE asset_id = ANY(%s) "
        "ORDER BY asset_id, seq",
        (ids,),
    ).fetchall()
    passages: list[Passage] = []
    for row in described:
        own = [c for c in cues if c["asset_id"] == row["id"]]
        passages.extend(_video_passages(by_id[row["id"]], row, own))
    return passages


def _video_passages(
    card: dict[str, Any], row: dict[str, Any], cues: Sequence[dict[str, Any]]
) -> list[Passage]:
    """One video's passages: title, description and tags for the whole clip, then its
    subtitle windows."""
    whole: tuple[float, float | None] = (0.0, row["duration_s"])
    spans: list[tuple[str, str, tuple[float, float | None]]] = []
    if row["title"]:
        spans.append(("title", row["title"], whole))
    if row["description"]:
        spans.append(("description", row["description"], whole))
    if row["tags"]:
        spans.append(("tags", "Tags: " + ", ".join(row["tags"]), whole))
    spans.extend(("subtitles", text, (start, end)) for start, end, text in cue_windows(cues))
    return [
        Passage(card["id"], kind, text, span[0], span[1], card["location"], row["title"])
        for kind, text, span in spans
    ]


def cue_windows(cues: Sequence[dict[str, Any]]) -> list[tuple[float, float, str]]:
    """Consecutive cues joined into windows of at most WINDOW_S seconds and WINDOW_CHARS
    characters: (start, end, text)."""
    windows: list[tuple[float, float, str]] = []
    start = end = 0.0
    parts: list[str] = []
    for cue in cues:
        text = cue["text"].strip()
        if parts and (
            cue["end_s"] - start > WINDOW_S or sum(map(len, parts)) + len(text) > WINDOW_CHARS
        ):
            windows.append((start, end, " ".join(parts)))
            parts = []
        if not parts:
            start = cue["start_s"]
        parts.append(text)
        end = max(end, cue["end_s"]) if len(parts) > 1 else cue["end_s"]
    if parts:
        windows.append((start, end, " ".join(parts)))
    return windows
