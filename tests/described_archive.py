"""The described samples (samples/video_archive/relevance.py: 16 clips with titles, tags,
descriptions and timed subtitles, three about the harbour) scanned into a catalogue and
indexed with the real model: what the question and agent tests work on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from samples.video_archive import relevance
from samples.video_archive.catalog import Catalog, open_catalog
from samples.video_archive.search import SemanticBackend


@dataclass
class Described:
    catalog: Catalog
    backend: SemanticBackend
    dsn: str
    root: Path  # the clips, registered as relevance.SOURCE
    index_dir: Path

    def close(self) -> None:
        self.backend.close()
        self.catalog.close()


def described_archive(dsn: str, work: Path) -> Described:
    from samples.video_archive.indexing.embeddings import MiniLMEmbedder

    catalog = open_catalog(dsn)
    relevance.scan_described(catalog, work / "videos")
    backend = relevance.index_described(catalog, work / "index", MiniLMEmbedder())
    return Described(catalog, backend, dsn, work / "videos", work / "index")
