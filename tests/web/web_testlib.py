"""What the web tests share besides fixtures: the test users, their API keys and the
archive they run against (imported by plain name: pytest puts this directory on sys.path;
a distinct name, not ``conftest``, so that it cannot collide with another directory's)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from samples.video_archive.catalog import open_catalog
from samples.video_archive.web.settings import WebSettings

EDITOR = ("alice", "correct horse battery")
VIEWER = ("victor", "viewer password 123")
EDITOR_KEY = "editor-key-" + "e" * 40
VIEWER_KEY = "viewer-key-" + "v" * 40


@dataclass(frozen=True)
class Archive:
    settings: WebSettings
    originals: Path
    outside: Path  # a directory outside every source, holding a "secret" file

    def asset_id(self, rel_path: str) -> int:
        catalog = open_catalog(self.settings.archive.catalog_dsn, migrate=False)
        try:
            row = catalog.conn.execute(
                "SELECT asset_id FROM files WHERE rel_path = %s", (rel_path,)
            ).fetchone()
        finally:
            catalog.close()
        assert row, f"{rel_path} is not catalogued"
        return int(row["asset_id"])
