"""Posts of the gateway in PostgreSQL (schema ``social_gateway``).

``claim`` inserts the row for an idempotency key; the table's unique constraint decides,
across processes and hosts, which request publishes. Everyone else reads that row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from integrations.postgres.client import connect
from integrations.postgres.migrations import apply_migrations

SCHEMA = "social_gateway"
MIGRATIONS = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class StoredPost:
    id: int
    idempotency_key: str
    request_sha256: str
    platform: str
    status: str
    external_id: str | None
    url: str | None
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    retryable: bool = False

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "status": self.status,
            "external_id": self.external_id,
            "url": self.url,
            "error": self.error,
            "attempts": self.attempts,
            "retryable": self.retryable,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def request_digest(payload: dict[str, Any]) -> str:
    """SHA-256 of a request body, key order independent: the same key with another body is
    a client error, not a retry."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def migrate(dsn: str) -> list[int]:
    """Create or upgrade the gateway's schema; return the migrations applied now."""
    with connect(dsn) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        conn.execute(f"SET search_path TO {SCHEMA}")
        applied = apply_migrations(conn, MIGRATIONS)
        conn.commit()
        return applied


class PostStore:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    def _conn(self) -> psycopg.Connection:
        return connect(self.dsn, autocommit=True)

    @staticmethod
    def _row(row: dict[str, Any] | None) -> StoredPost | None:
        return StoredPost(**row) if row else None

    def claim(self, key: str, digest: str, platform: str) -> tuple[StoredPost, bool]:
        """(row, True) when this caller created the row and must publish; else the existing row."""
        with self._conn() as conn:
            row = conn.execute(
                f"INSERT INTO {SCHEMA}.posts (idempotency_key, request_sha256, platform) "  # noqa: S608 - constant schema
                "VALUES (%s, %s, %s) ON CONFLICT ON CONSTRAINT posts_idempotency_key_unique "
                "DO NOTHING RETURNING *",
                (key, digest, platform),
            ).fetchone()
            if row:
                return StoredPost(**row), True
            existing = conn.execute(
                f"SELECT * FROM {SCHEMA}.posts WHERE idempotency_key = %s",  # noqa: S608
                (key,),
            ).fetchone()
        assert existing, "a conflicting row must exist"
        return StoredPost(**existing), False

    def reclaim_stale(self, post_id: int, stale_after_s: float) -> StoredPost | None:
        """Take over a post left ``publishing`` longer than ``stale_after_s`` (its gateway
        process died mid-publish); None when it is not stale or someone else took it."""
        with self._conn() as conn:
            row = conn.execute(
                f"UPDATE {SCHEMA}.posts SET updated_at = now() WHERE id = %s "  # noqa: S608
                "AND status = 'publishing' AND updated_at < now() - make_interval(secs => %s) "
                "RETURNING *",
                (post_id, stale_after_s),
            ).fetchone()
        return self._row(row)

    def reclaim_retryable(self, post_id: int) -> StoredPost | None:
        """Take a post whose last attempt failed transiently back to ``publishing``; None when
        it is not such a post or another request took it first."""
        with self._conn() as conn:
            row = conn.execute(
                f"UPDATE {SCHEMA}.posts SET status = 'publishing', retryable = false, "  # noqa: S608
                "updated_at = now() WHERE id = %s AND status = 'failed' AND retryable "
                "RETURNING *",
                (post_id,),
            ).fetchone()
        return self._row(row)

    def finish(
        self,
        post_id: int,
        *,
        status: str,
        external_id: str | None = None,
        url: str | None = None,
        error: str | None = None,
        attempts: int = 0,
        retryable: bool = False,
    ) -> StoredPost:
        with self._conn() as conn:
            row = conn.execute(
                f"UPDATE {SCHEMA}.posts SET status = %s, external_id = %s, url = %s, "  # noqa: S608
                "error = %s, attempts = %s, retryable = %s, updated_at = now() "
                "WHERE id = %s RETURNING *",
                (status, external_id, url, error, attempts, retryable, post_id),
            ).fetchone()
        assert row
        return StoredPost(**row)

    def get(self, post_id: int) -> StoredPost | None:
        with self._conn() as conn:
            return self._row(
                conn.execute(f"SELECT * FROM {SCHEMA}.posts WHERE id = %s", (post_id,)).fetchone()  # noqa: S608
            )

    def by_key(self, key: str) -> StoredPost | None:
        with self._conn() as conn:
            return self._row(
                conn.execute(
                    f"SELECT * FROM {SCHEMA}.posts WHERE idempotency_key = %s",  # noqa: S608
                    (key,),
                ).fetchone()
            )

    def ping(self) -> None:
        with self._conn() as conn:
            conn.execute("SELECT 1")

    def counts(self) -> dict[str, int]:
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT status, count(*) AS n FROM {SCHEMA}.posts GROUP BY status"  # noqa: S608
            ).fetchall()
        return {r["status"]: int(r["n"]) for r in rows}
