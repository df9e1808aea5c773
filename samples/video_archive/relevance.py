"""Search relevance on described samples: clips with a title, tags, a description and
subtitles, and a fixed set of questions a person would type, each with the one clip it is
about. Shared by the relevance test (tests/video_archive/test_search_relevance.py) and the
web benchmark (bench/web_search.py), so the figure in bench/results/ is the tested one.

The score per mode is the share of queries whose clip is among the first three results.
Queries are short, as people type them: words from the clip's text, a synonym, or a
paraphrase. They were written with the clips and are not tuned to any one mode.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from samples.video_archive.catalog import Catalog
from samples.video_archive.config import Settings
from samples.video_archive.indexing.embeddings import Embedder
from samples.video_archive.ingestion.scanner import scan_source
from samples.video_archive.ingestion.sources import spec_from_uri
from samples.video_archive.search import MODES, Filters, SemanticBackend, run_search
from samples.video_archive.synthetic import make_clip

TOP = 3
# The source the described clips are registered as.
SOURCE = "described"


@dataclass(frozen=True)
class DescribedClip:
    name: str
    title: str
    tags: tuple[str, ...]
    description: str
    subtitles: tuple[str, ...]


CLIPS: tuple[DescribedClip, ...] = (
    DescribedClip(
        "harbour/ferry_dawn",
        "Ferry leaving the harbour at dawn",
        ("harbour", "ferry"),
        "The morning ferry pulls away from the harbour wall while gulls circle overhead.",
        ("Last call for the island ferry.", "The crossing takes forty minutes today."),
    ),
    DescribedClip(
        "harbour/fishing_boats",
        "Fishing boats unloading at the harbour",
        ("harbour", "fishing"),
        "Crews unload crates of fish from trawlers moored in the harbour.",
        ("Mind the ropes, the crates are heavy.", "We caught mostly mackerel this week."),
    ),
    DescribedClip(
        "harbour/lighthouse_storm",
        "Harbour lighthouse in a storm",
        ("harbour", "lighthouse"),
        "Waves break against the lighthouse at the harbour mouth during a winter storm.",
        ("The keeper lights the lamp at dusk.", "Gale warnings for the whole coast tonight."),
    ),
    DescribedClip(
        "city/tram_lisbon",
        "Yellow tram climbing a hill in Lisbon",
        ("lisbon", "tram"),
        "A vintage yellow tram rattles up a steep cobbled street in Alfama.",
        ("Hold on, the tram turns sharply here.",),
    ),
    DescribedClip(
        "food/bakery",
        "Baker pulling bread from a wood oven",
        ("bakery", "bread"),
        "Loaves of sourdough come out of a wood-fired oven before sunrise.",
        ("The dough rested overnight.", "Careful, the trays are hot."),
    ),
    DescribedClip(
        "mountains/glacier_hike",
        "Hikers crossing a glacier",
        ("mountain", "glacier", "hiking"),
        "A roped team walks across a crevassed glacier below snowy peaks.",
        ("Keep the rope tight between us.", "Crampons on before the ice."),
    ),
    DescribedClip(
        "music/jazz_rehearsal",
        "Jazz quartet rehearsal",
        ("music", "jazz"),
        "A saxophone, piano, bass and drums rehearse in a small basement club.",
        ("Take it from the bridge, one two three four.",),
    ),
    DescribedClip(
        "family/birthday",
        "Grandmother's ninetieth birthday",
        ("family", "birthday"),
        "The family sings as grandmother blows out the candles on her cake.",
        ("Happy birthday dear grandma!", "Make a wish."),
    ),
    DescribedClip(
        "sport/marathon",
        "City marathon finish line",
        ("running", "marathon"),
        "Exhausted runners cross the finish line and collect their medals.",
        ("Only two hundred metres to go!",),
    ),
    DescribedClip(
        "nature/owl",
        "Barn owl hunting at night",
        ("wildlife", "owl"),
        "An infrared camera follows a barn owl gliding low over a meadow at night.",
        ("Listen, it makes no sound at all.",),
    ),
    DescribedClip(
        "work/factory_robots",
        "Robots welding car bodies",
        ("factory", "robots"),
        "Robotic arms weld car body panels on an automated assembly line.",
        ("The line produces sixty cars an hour.",),
    ),
    DescribedClip(
        "weather/desert_sandstorm",
        "Sandstorm over desert dunes",
        ("desert", "storm"),
        "A wall of sand rolls over the dunes and swallows the camel caravan.",
        ("Cover your face, here it comes.",),
    ),
    DescribedClip(
        "garden/vineyard_harvest",
        "Grape harvest in the vineyard",
        ("vineyard", "harvest"),
        "Pickers fill baskets with ripe grapes between the rows of vines.",
        ("These grapes will be wine by spring.",),
    ),
    DescribedClip(
        "school/science_fair",
        "Children at the science fair",
        ("school", "science"),
        "Pupils show a baking-soda volcano and a potato battery to the judges.",
        ("It erupts when you add the vinegar.",),
    ),
    DescribedClip(
        "travel/night_train",
        "Night train through the Alps",
        ("train", "travel"),
        "Sleeper carriages wind through snowy Alpine valleys under moonlight.",
        ("The dining car closes at ten.",),
    ),
    DescribedClip(
        "events/wedding_dance",
        "First dance at the wedding",
        ("wedding", "dance"),
        "The bride and groom share their first dance under string lights.",
        ("Everyone, please join them on the floor.",),
    ),
)

# Query -> the clip it is about.
QUERIES: dict[str, str] = {
    "ferry leaving harbour": "harbour/ferry_dawn",
    "island ferry crossing": "harbour/ferry_dawn",
    "fishing boats": "harbour/fishing_boats",
    "unloading fish crates": "harbour/fishing_boats",
    "lighthouse storm": "harbour/lighthouse_storm",
    "waves hitting the lighthouse": "harbour/lighthouse_storm",
    "lisbon tram": "city/tram_lisbon",
    "yellow tram on a steep street": "city/tram_lisbon",
    "sourdough bread": "food/bakery",
    "baker and oven": "food/bakery",
    "glacier hike": "mountains/glacier_hike",
    "roped team on the ice": "mountains/glacier_hike",
    "jazz rehearsal": "music/jazz_rehearsal",
    "saxophone and piano": "music/jazz_rehearsal",
    "birthday cake candles": "family/birthday",
    "grandmother birthday": "family/birthday",
    "marathon finish": "sport/marathon",
    "runners medals": "sport/marathon",
    "barn owl": "nature/owl",
    "owl hunting at night": "nature/owl",
    "welding robots": "work/factory_robots",
    "car assembly line": "work/factory_robots",
    "sandstorm": "weather/desert_sandstorm",
    "camel caravan in the dunes": "weather/desert_sandstorm",
    "grape harvest": "garden/vineyard_harvest",
    "picking grapes in the vines": "garden/vineyard_harvest",
    "science fair volcano": "school/science_fair",
    "potato battery": "school/science_fair",
    "night train alps": "travel/night_train",
    "sleeper carriages": "travel/night_train",
    "wedding first dance": "events/wedding_dance",
    "bride and groom dancing": "events/wedding_dance",
}


def _srt(lines: Iterable[str]) -> str:
    cues = []
    for number, line in enumerate(lines, start=1):
        start, end = (number - 1) * 2, number * 2
        cues.append(f"{number}\n00:00:{start:02d},000 --> 00:00:{end:02d},000\n{line}\n")
    return "\n".join(cues)


def make_described_corpus(root: Path) -> dict[str, str]:
    """Write the described clips under ``root`` (a clip, a .json and a .srt each; every
    clip one frame longer than the one before, so none shares a fingerprint); return
    relative video path -> clip name."""
    paths: dict[str, str] = {}
    for number, clip in enumerate(CLIPS):
        video = root / f"{clip.name}.mp4"
        make_clip(video, acodec=None, duration=1.0 + 0.04 * number)
        sidecar = {"title": clip.title, "description": clip.description, "tags": clip.tags}
        video.with_suffix(".json").write_text(json.dumps(sidecar), encoding="utf-8")
        video.with_suffix(".srt").write_text(_srt(clip.subtitles), encoding="utf-8")
        paths[f"{clip.name}.mp4"] = clip.name
    return paths


def scan_described(catalog: Catalog, root: Path) -> None:
    """Write the described clips under ``root``, register it as SOURCE and scan it."""
    make_described_corpus(root)
    catalog.add_source(spec_from_uri(SOURCE, str(root)))
    scan_source(catalog, SOURCE)


def index_described(catalog: Catalog, index_dir: Path, embedder: Embedder) -> SemanticBackend:
    """Index the scanned clips in a LanceDB index in ``index_dir``, as gold does; the search
    backend over it."""
    from samples.video_archive.indexing.backends.lancedb import LanceDBIndex
    from samples.video_archive.indexing.indexer import index_pending

    index = LanceDBIndex(index_dir, dimension=embedder.dimension)
    index_pending(catalog, index, embedder)
    return SemanticBackend(Settings(), embedder=embedder, index=index)


def evaluate(
    conn: psycopg.Connection,
    backend: SemanticBackend,
    source: str = SOURCE,
    modes: Iterable[str] = MODES,
) -> dict[str, dict[str, object]]:
    """Per mode: the share of QUERIES whose clip is in the top three (of the videos on
    ``source``) and the queries that missed, with what came first instead."""
    prefix = f"{source}:"
    report: dict[str, dict[str, object]] = {}
    for mode in modes:
        misses: dict[str, list[str]] = {}
        for query, expected in QUERIES.items():
            page = run_search(conn, backend, query, mode, Filters(source=source), limit=TOP)
            found = [
                item["location"].removeprefix(prefix).removesuffix(".mp4") for item in page.items
            ]
            if expected not in found:
                misses[query] = found
        report[mode] = {
            "top3_share": round(1 - len(misses) / len(QUERIES), 3),
            "queries": len(QUERIES),
            "misses": misses,
        }
    return report
