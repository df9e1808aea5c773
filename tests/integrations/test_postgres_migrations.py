"""Migrations against a real throwaway PostgreSQL cluster."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from integrations.postgres import (
    CatalogUnavailableError,
    MigrationError,
    apply_migrations,
    connect,
    current_version,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def conn(new_database: Callable[[str], str]) -> Iterator[psycopg.Connection]:
    connection = connect(new_database("migrations"))
    yield connection
    connection.close()


def _write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(exist_ok=True)
    for name, sql in files.items():
        (directory / name).write_text(sql)
    return directory


def test_applies_in_order_once(conn: psycopg.Connection, tmp_path: Path) -> None:
    migrations = _write(
        tmp_path / "m",
        {
            "0001_create.sql": "CREATE TABLE t (id int PRIMARY KEY);",
            "0002_column.sql": "ALTER TABLE t ADD COLUMN name text;",
        },
    )
    assert apply_migrations(conn, migrations) == [1, 2]
    assert apply_migrations(conn, migrations) == []
    assert current_version(conn) == 2
    conn.execute("INSERT INTO t (id, name) VALUES (1, 'x')")


def test_failed_migration_leaves_schema_unchanged(conn: psycopg.Connection, tmp_path: Path) -> None:
    migrations = _write(
        tmp_path / "m",
        {
            "0001_create.sql": "CREATE TABLE t (id int PRIMARY KEY);",
            "0002_broken.sql": "ALTER TABLE nowhere ADD COLUMN x int;",
        },
    )
    with pytest.raises(psycopg.errors.UndefinedTable):
        apply_migrations(conn, migrations)
    conn.rollback()
    assert current_version(conn) == 0
    assert conn.execute("SELECT to_regclass('t') AS t").fetchone()["t"] is None


def test_edited_migration_is_refused(conn: psycopg.Connection, tmp_path: Path) -> None:
    migrations = _write(tmp_path / "m", {"0001_create.sql": "CREATE TABLE t (id int);"})
    apply_migrations(conn, migrations)
    _write(migrations, {"0001_create.sql": "CREATE TABLE t (id bigint);"})
    with pytest.raises(MigrationError, match="edited after it was applied"):
        apply_migrations(conn, migrations)


def test_gaps_and_bad_names_are_refused(conn: psycopg.Connection, tmp_path: Path) -> None:
    gap = _write(tmp_path / "gap", {"0001_a.sql": "SELECT 1;", "0003_c.sql": "SELECT 1;"})
    with pytest.raises(MigrationError, match="expected migration 0002"):
        apply_migrations(conn, gap)
    bad = _write(tmp_path / "bad", {"1_a.sql": "SELECT 1;"})
    with pytest.raises(MigrationError, match=r"NNNN_description\.sql"):
        apply_migrations(conn, bad)


def test_catalog_schema_migrates_cleanly(conn: psycopg.Connection) -> None:
    from samples.video_archive.catalog.repository import MIGRATIONS_DIR

    applied = apply_migrations(conn, MIGRATIONS_DIR)
    assert applied == list(range(1, len(applied) + 1))
    assert apply_migrations(conn, MIGRATIONS_DIR) == []


def test_unreachable_server_names_the_redacted_dsn() -> None:
    with pytest.raises(CatalogUnavailableError) as info:
        connect("host=127.0.0.1 port=1 dbname=x user=u password=hunter2", connect_timeout=2)
    assert "password=***" in str(info.value) and "hunter2" not in str(info.value)


def test_a_current_schema_opens_for_a_role_that_may_not_change_it(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    """A pipeline's least-privileged login (rows yes, tables no) opens a current schema; with
    a migration pending it is told the owner must apply it."""
    directory = _write(tmp_path / "m", {"0001_things.sql": "CREATE TABLE things (id int);"})
    assert apply_migrations(conn, directory) == [1]
    conn.execute("CREATE ROLE row_writer LOGIN")
    conn.execute("GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO row_writer")
    conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    conn.commit()
    conn.execute("SET ROLE row_writer")
    assert apply_migrations(conn, directory) == []
    _write(directory, {"0002_more.sql": "CREATE TABLE more_things (id int);"})
    with pytest.raises(MigrationError, match=r"needs migration\(s\) 0002 .* owner first"):
        apply_migrations(conn, directory)
    conn.rollback()
    conn.execute("RESET ROLE")
