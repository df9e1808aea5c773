"""Fixtures for the video archive: a fresh catalog database per test (in the session's
PostgreSQL cluster, tests/conftest.py) and synthetic videos."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from samples.video_archive.catalog import Catalog, open_catalog
from samples.video_archive.synthetic import Expected, make_corpus


@pytest.fixture
def catalog_dsn(new_database: Callable[[str], str]) -> str:
    return new_database("va")


@pytest.fixture
def catalog(catalog_dsn: str) -> Iterator[Catalog]:
    cat = open_catalog(catalog_dsn)
    yield cat
    cat.close()


@pytest.fixture(scope="session")
def corpus_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Expected]]:
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.skip("ffmpeg/ffprobe not installed (Debian package 'ffmpeg')")
    root = tmp_path_factory.mktemp("corpus-template")
    return root, make_corpus(root)


@pytest.fixture
def corpus(
    tmp_path: Path, corpus_template: tuple[Path, dict[str, Expected]]
) -> tuple[Path, dict[str, Expected]]:
    """A private copy of the corpus (symlinks kept as symlinks, mtimes preserved)."""
    template, expected = corpus_template
    root = tmp_path / "originals"
    shutil.copytree(template, root, symlinks=True)
    return root, expected


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(writable dir, read-only bind mount of it); skipped where mounting is not allowed."""
    backing = tmp_path / "backing"
    mountpoint = tmp_path / "ro-mount"
    backing.mkdir()
    mountpoint.mkdir()
    bind = subprocess.run(
        ["mount", "--bind", str(backing), str(mountpoint)], capture_output=True, check=False
    )
    if bind.returncode != 0:
        pytest.skip(f"cannot bind-mount here (needs root): {bind.stderr.decode().strip()}")
    try:
        subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(mountpoint)], check=True, capture_output=True
        )
        yield backing, mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False, capture_output=True)
