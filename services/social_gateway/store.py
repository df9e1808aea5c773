"""Posts of the gateway in PostgreSQL (schema ``social_gateway``), through a connection pool.

``claim`` inserts the row for an idempotency key; the table's unique constraint decides,
across processes and hosts, which request queued the post. ``take_next`` hands a queued post
to one worker (``FOR UPDATE SKIP LOCKED``: two gateway processes never take the same post).
Every status change is one guarded UPDATE, so two actors cannot both move a post.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from integrations.postgres.client import connect
from integrations.postgres.migrations import apply_migrations

SCHEMA = "social_gateway"
MIGRATIONS = Path(__file__).with_name("migrations")
STATUSES = ("queued", "publishing", "published", "failed", "unknown")
_POSTS = f"{SCHEMA}.posts"


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
    text: str | None = None
    media_path: str | None = None

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
    def __init__(self, dsn: str, *, max_connections: int = 8, timeout_s: float = 10.0) -> None:
        # Opened now (create_app has just migrated, so the database answers); closed by
        # close() at the app's shutdown.
        self._pool = ConnectionPool(
            dsn,
            min_size=1,
            max_size=max_connections,
            timeout=timeout_s,
            kwargs={"autocommit": True, "row_factory": dict_row},
            open=True,
            name="social-gateway",
        )

    def close(self) -> None:
        self._pool.close()

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> StoredPost | None:
        with self._pool.connection() as conn:
            row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
        return StoredPost(**row) if row else None

    def claim(
        self, key: str, digest: str, platform: str, text: str, media_path: str | None
    ) -> tuple[StoredPost, bool]:
        """(row, True) when this caller queued the post; else (the existing row, False)."""
        created = self._one(
            f"INSERT INTO {_POSTS} (idempotency_key, request_sha256, platform, text, media_path) "  # noqa: S608 - constant schema
            "VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT ON CONSTRAINT posts_idempotency_key_unique DO NOTHING RETURNING *",
            (key, digest, platform, text, media_path),
        )
        if created:
            return created, True
        existing = self.by_key(key)
        assert existing, "a conflicting row must exist"
        return existing, False

    def requeue_retryable(
        self, post_id: int, text: str, media_path: str | None
    ) -> StoredPost | None:
        """Queue again a post whose delivery failed transiently (the platform never took it);
        None when it is not such a post or another request queued it first. The text comes
        again with the request: rows from before migration 0003 do not hold it."""
        return self._one(
            f"UPDATE {_POSTS} SET status = 'queued', retryable = false, error = NULL, "  # noqa: S608
            "text = %s, media_path = %s, updated_at = now() "
            "WHERE id = %s AND status = 'failed' AND retryable RETURNING *",
            (text, media_path, post_id),
        )

    def requeue(self, post_id: int) -> StoredPost | None:
        """A person's re-queue of a failed or unknown post that still holds its text; None
        when the post is in no such state."""
        return self._one(
            f"UPDATE {_POSTS} SET status = 'queued', retryable = false, error = NULL, "  # noqa: S608
            "updated_at = now() "
            "WHERE id = %s AND status IN ('failed', 'unknown') AND text IS NOT NULL RETURNING *",
            (post_id,),
        )

    def confirm(self, post_id: int, external_id: str | None, url: str | None) -> StoredPost | None:
        """A person found an ``unknown`` post on the platform: it is published."""
        return self._one(
            f"UPDATE {_POSTS} SET status = 'published', external_id = %s, url = %s, "  # noqa: S608
            "error = NULL, updated_at = now() WHERE id = %s AND status = 'unknown' RETURNING *",
            (external_id, url, post_id),
        )

    def take_next(self) -> StoredPost | None:
        """The oldest queued post, now ``publishing`` and this caller's; None when the queue
        is empty. Rows other workers are taking are skipped, not waited for."""
        return self._one(
            f"UPDATE {_POSTS} SET status = 'publishing', updated_at = now() WHERE id = ("  # noqa: S608
            f"SELECT id FROM {_POSTS} WHERE status = 'queued' ORDER BY id "
            "LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *"
        )

    def mark_stale_unknown(self, stale_after_s: float) -> list[StoredPost]:
        """Posts left ``publishing`` longer than ``stale_after_s`` (their gateway died while
        delivering): the platform may have them, so they become ``unknown``, never re-sent."""
        reason = (
            "the gateway stopped while publishing; the platform may have the post: check it, "
            "then confirm (POST /api/v1/posts/{id}/confirm) or re-queue (.../retry)"
        )
        with self._pool.connection() as conn:
            rows = conn.execute(
                f"UPDATE {_POSTS} SET status = 'unknown', error = %s, updated_at = now() "  # noqa: S608
                "WHERE status = 'publishing' AND updated_at < now() - make_interval(secs => %s) "
                "RETURNING *",
                (reason, stale_after_s),
            ).fetchall()
        return [StoredPost(**row) for row in rows]

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
        """The outcome of a delivery this worker took (the post is ``publishing``)."""
        post = self._one(
            f"UPDATE {_POSTS} SET status = %s, external_id = %s, url = %s, error = %s, "  # noqa: S608
            "attempts = attempts + %s, retryable = %s, updated_at = now() "
            "WHERE id = %s RETURNING *",
            (status, external_id, url, error, attempts, retryable, post_id),
        )
        assert post, f"post {post_id} vanished while it was being published"
        return post

    def get(self, post_id: int) -> StoredPost | None:
        return self._one(f"SELECT * FROM {_POSTS} WHERE id = %s", (post_id,))  # noqa: S608

    def by_key(self, key: str) -> StoredPost | None:
        return self._one(f"SELECT * FROM {_POSTS} WHERE idempotency_key = %s", (key,))  # noqa: S608

    def ping(self) -> None:
        with self._pool.connection() as conn:
            conn.execute("SELECT 1")

    def counts(self) -> dict[str, int]:
        """Posts by status, every status present (0 when none)."""
        with self._pool.connection() as conn:
            rows = conn.execute(
                f"SELECT status, count(*) AS n FROM {_POSTS} GROUP BY status"  # noqa: S608
            ).fetchall()
        found = {r["status"]: int(r["n"]) for r in rows}
        return {status: found.get(status, 0) for status in STATUSES}
