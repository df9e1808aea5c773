"""Helpers shared by the video archive tests (imported by plain name: pytest puts this
directory on sys.path)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from samples.video_archive.catalog import Catalog
from samples.video_archive.ingestion.sources import spec_from_uri


def register(catalog: Catalog, name: str, root: Path) -> None:
    catalog.add_source(spec_from_uri(name, str(root)))


def snapshot(root: Path) -> dict[str, tuple[str, int, int]]:
    """sha256, mtime_ns and mode of every regular file under root (symlinks not followed)."""
    state: dict[str, tuple[str, int, int]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        st = path.stat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        state[path.relative_to(root).as_posix()] = (digest, st.st_mtime_ns, st.st_mode)
    return state
