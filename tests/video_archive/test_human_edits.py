"""Nothing deletes what a person entered: sidecar text is the pipeline's, edits are people's
(migration 0005); removing a source and purging keep edited assets, marked as having no
file, until a person deletes them; their content coming back restores them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from va_testlib import register

from integrations.postgres import apply_migrations
from samples.video_archive.catalog import Catalog, open_catalog
from samples.video_archive.catalog.repository import MIGRATIONS_DIR, AssetInUseError
from samples.video_archive.ingestion.scanner import scan_source
from samples.video_archive.synthetic import Expected
from samples.video_archive.web.queries import update_descriptive

pytestmark = pytest.mark.slow


def _asset(catalog: Catalog, rel_path: str) -> dict:
    row = catalog._one(
        "SELECT a.* FROM assets a JOIN files f ON f.asset_id = a.id WHERE f.rel_path = %s",
        (rel_path,),
    )
    assert row is not None, rel_path
    return row


def test_edits_survive_source_removal_and_purge(
    catalog: Catalog,
    catalog_dsn: str,
    corpus: tuple[Path, dict[str, Expected]],
    tmp_path: Path,
) -> None:
    root, _ = corpus
    register(catalog, "home", root)
    scan_source(catalog, "home")
    camera, plain = _asset(catalog, "camera.mp4"), _asset(catalog, "mpeg4.avi")
    assert camera["title"] == "Quay at dusk" and camera["edited_at"] is None  # sidecars
    with psycopg.connect(catalog_dsn, row_factory=psycopg.rows.dict_row) as conn:
        assert update_descriptive(conn, plain["id"], title="Grandma's 80th", tags=["family"])
    edited = catalog.asset(plain["id"])
    assert edited["edited_at"] is not None and edited["title"] == "Grandma's 80th"
    (root / "camera.json").write_text('{"tags": ["evening"]}')  # sidecars change later:
    scan_source(catalog, "home")  # still the pipeline's writes, not edits
    assert catalog.asset(camera["id"])["edited_at"] is None

    forgotten, kept = catalog.remove_source("home")
    assert forgotten > 0 and kept == 1
    purge = catalog.purge_missing(timedelta(0))
    assert purge.kept == 0  # already marked when the source went
    assert catalog.asset(camera["id"]) is None  # no person's work: purged
    survivor = catalog.asset(plain["id"])
    assert survivor["title"] == "Grandma's 80th" and survivor["tags"] == ["family"]
    assert survivor["file_gone_at"] is not None
    assert [r["id"] for r in catalog.kept_without_file()] == [plain["id"]]
    assert catalog.status_summary()["kept_without_file"] == 1
    assert catalog.purge_missing(timedelta(0)).assets == 0  # and again: still kept

    # The same content in a new source: the asset, its edits and its id come back.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy2(root / "mpeg4.avi", elsewhere / "party.avi")
    register(catalog, "disk", elsewhere)
    scan_source(catalog, "disk")
    back = _asset(catalog, "party.avi")
    assert back["id"] == plain["id"] and back["title"] == "Grandma's 80th"
    assert back["file_gone_at"] is None
    with pytest.raises(AssetInUseError, match="still has 1 present file"):
        catalog.delete_asset(plain["id"])


def test_a_person_deletes_a_kept_asset_from_the_cli(
    catalog: Catalog, catalog_dsn: str, corpus: tuple[Path, dict[str, Expected]], tmp_path: Path
) -> None:
    root, _ = corpus
    register(catalog, "home", root)
    scan_source(catalog, "home")
    asset = _asset(catalog, "broadcast.ts")
    with psycopg.connect(catalog_dsn, row_factory=psycopg.rows.dict_row) as conn:
        update_descriptive(conn, asset["id"], description="Regatta, 1998")
    config = tmp_path / "archive.toml"
    config.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDEO_ARCHIVE_")}
    env.update(VIDEO_ARCHIVE_CONFIG=str(config), VIDEO_ARCHIVE_CATALOG_DSN=catalog_dsn)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "samples.video_archive", *args],
            capture_output=True, text=True, env={**env, "COLUMNS": "200"}, check=False,
        )  # fmt: skip

    removed = cli("sources", "remove", "home")
    assert "1 edited videos kept without a file" in removed.stdout, removed.stdout
    assert str(asset["id"]) in cli("kept").stdout
    deleted = cli("delete", str(asset["id"]))
    assert deleted.returncode == 0, deleted.stderr
    assert catalog.asset(asset["id"]) is None
    again = cli("delete", str(asset["id"]))
    assert again.returncode == 2 and f"no asset with id {asset['id']}" in again.stderr


def test_migration_counts_existing_descriptions_as_edits(
    new_database: object, tmp_path: Path
) -> None:
    dsn = new_database("va_backfill")  # type: ignore[operator]
    older = tmp_path / "migrations"
    older.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("000[1-4]_*.sql")):
        shutil.copy(path, older / path.name)
    with psycopg.connect(dsn, row_factory=psycopg.rows.dict_row) as conn:
        apply_migrations(conn, older)
        conn.execute(
            "INSERT INTO assets (fingerprint, size_bytes, title) VALUES ('fp:a', 1, 'Named'), "
            "('fp:b', 1, NULL)"
        )
        conn.commit()
    catalog = open_catalog(dsn)  # applies 0005
    try:
        rows = {r["fingerprint"]: r for r in catalog._all("SELECT * FROM assets")}
        assert rows["fp:a"]["edited_at"] is not None  # cannot tell: kept as a person's
        assert rows["fp:b"]["edited_at"] is None
    finally:
        catalog.close()
