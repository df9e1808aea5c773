"""Versioned schema migrations: numbered SQL files applied in order in one transaction.

A migration directory holds files named ``NNNN_description.sql``. The table
``schema_version`` (in the connection's search path) records which numbers were applied,
when, and a checksum of the file, so an edited, already-applied migration is reported
instead of silently ignored. Concurrent runners serialise on an advisory lock.

A schema that is already current needs nothing: the check reads ``schema_version`` only, so
roles that may write a database's rows but not change its tables (a pipeline's least-
privileged login) open it like its owner does. Such a role finding migrations pending gets a
MigrationError saying the owner must apply them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Arbitrary constant shared by every runner of these migrations.
_ADVISORY_LOCK_KEY = 7_412_001


class MigrationError(RuntimeError):
    """The migration files or the recorded schema history are inconsistent."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(directory: Path) -> list[Migration]:
    """Read and order the migration files of a directory, refusing gaps and duplicates."""
    migrations: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path}: migration files must be named NNNN_description.sql")
        migrations.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"{directory}: expected migration {expected:04d}, found {migration.version:04d}"
            )
    return migrations


def current_version(conn: psycopg.Connection) -> int:
    """Highest applied migration number, 0 for an empty database."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('schema_version') IS NOT NULL AS present")
        row = cur.fetchone()
        present = row["present"] if isinstance(row, dict) else row[0]
        if not present:
            return 0
        cur.execute("SELECT coalesce(max(version), 0) AS v FROM schema_version")
        row = cur.fetchone()
        return int(row["v"] if isinstance(row, dict) else row[0])


def _recorded(conn: psycopg.Connection) -> dict[int, str]:
    """Applied migration numbers and their checksums ({} before the first migration)."""
    if current_version(conn) == 0:
        return {}
    with conn.cursor() as cur:
        cur.execute("SELECT version, checksum FROM schema_version")
        return {
            (r["version"] if isinstance(r, dict) else r[0]): (
                r["checksum"] if isinstance(r, dict) else r[1]
            )
            for r in cur.fetchall()
        }


def apply_migrations(conn: psycopg.Connection, directory: Path) -> list[int]:
    """Apply every migration not yet recorded; return the numbers applied now.

    All pending migrations and their ``schema_version`` rows commit together, so a failing
    migration leaves the schema exactly as it was.
    """
    migrations = load_migrations(directory)
    recorded = _recorded(conn)
    conn.commit()
    if all(recorded.get(m.version) == m.checksum for m in migrations):
        return []  # current: no lock, no DDL (a role without CREATE opens it too)
    try:
        return _apply(conn, migrations)
    except psycopg.errors.InsufficientPrivilege as exc:
        pending = [f"{m.version:04d}" for m in migrations if m.version not in recorded]
        raise MigrationError(
            f"the schema needs migration(s) {', '.join(pending) or 'checks'} and this login "
            f"may not change it ({exc.diag.message_primary}): apply them as the database's "
            "owner first"
        ) from None


def _apply(conn: psycopg.Connection, migrations: list[Migration]) -> list[int]:
    applied_now: list[int] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_LOCK_KEY,))
        conn.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_version (
                version    integer PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        recorded = _recorded(conn)
        for migration in migrations:
            if migration.version in recorded:
                if recorded[migration.version] != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.version:04d}_{migration.name} was edited after "
                        "it was applied; add a new migration instead"
                    )
                continue
            with conn.transaction():
                conn.execute(migration.sql)
                conn.execute(
                    "INSERT INTO schema_version (version, name, checksum) VALUES (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
            applied_now.append(migration.version)
    return applied_now
