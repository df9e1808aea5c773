"""The described samples (samples/video_archive/relevance.py) scanned into a catalog and
indexed with the real model, once for every question test: they only read them."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from samples.video_archive import relevance
from samples.video_archive.catalog import Catalog, open_catalog
from samples.video_archive.search import SemanticBackend


@dataclass
class Described:
    catalog: Catalog
    backend: SemanticBackend
    dsn: str
    index_dir: Path


@pytest.fixture(scope="session")
def described(
    new_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Described]:
    pytest.importorskip("sentence_transformers", reason="the embedder's libraries are missing")
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed (Debian package 'ffmpeg')")
    from samples.video_archive.indexing.embeddings import MiniLMEmbedder

    root = tmp_path_factory.mktemp("described")
    dsn = new_database("qa")
    catalog = open_catalog(dsn)
    relevance.scan_described(catalog, root / "videos")
    backend = relevance.index_described(catalog, root / "index", MiniLMEmbedder())
    yield Described(catalog, backend, dsn, root / "index")
    backend.close()
    catalog.close()
