"""The pipeline's own tables (schema ``social_automation``) beside the archive catalog."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from integrations.postgres.client import connect
from integrations.postgres.migrations import apply_migrations

SCHEMA = "social_automation"
MIGRATIONS = Path(__file__).with_name("migrations")
_COLUMNS = (
    "record_id", "status", "media_path", "cover_path", "caption", "idempotency_key",
    "gateway_post_id", "external_id", "url", "reason",
)  # fmt: skip


def migrate(conn: psycopg.Connection) -> list[int]:
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    conn.execute(f"SET search_path TO {SCHEMA}")
    try:
        return apply_migrations(conn, MIGRATIONS)
    finally:
        conn.execute("SET search_path TO DEFAULT")
        conn.commit()


class PublicationStore:
    def __init__(self, dsn: str) -> None:
        self.conn = connect(dsn, autocommit=True)
        migrate(self.conn)
        self.conn.autocommit = True

    def close(self) -> None:
        self.conn.close()

    def existing_pairs(self) -> set[tuple[int, str]]:
        rows = self.conn.execute(f"SELECT asset_id, platform FROM {SCHEMA}.publications").fetchall()  # noqa: S608
        return {(int(r["asset_id"]), str(r["platform"])) for r in rows}

    def record(self, draft_key: str, asset_id: int, platform: str, **values: Any) -> None:
        """Insert or update the row of a draft key (only the given columns change)."""
        unknown = set(values) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown publication columns: {sorted(unknown)}")
        columns = ["draft_key", "asset_id", "platform", *values]
        updates = (
            ", ".join(f"{c} = EXCLUDED.{c}" for c in values) or "draft_key = EXCLUDED.draft_key"
        )
        self.conn.execute(
            f"INSERT INTO {SCHEMA}.publications ({', '.join(columns)}) "  # noqa: S608 - fixed names
            f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT (draft_key) DO UPDATE SET "
            f"{updates}, updated_at = now()",
            (draft_key, asset_id, platform, *values.values()),
        )

    def get(self, draft_key: str) -> dict[str, Any] | None:
        return self.conn.execute(
            f"SELECT * FROM {SCHEMA}.publications WHERE draft_key = %s",  # noqa: S608
            (draft_key,),
        ).fetchone()

    def all(self) -> list[dict[str, Any]]:
        return self.conn.execute(f"SELECT * FROM {SCHEMA}.publications ORDER BY id").fetchall()  # noqa: S608

    def last_run(self, mode: str) -> datetime | None:
        row = self.conn.execute(
            f"SELECT max(started_at) AS at FROM {SCHEMA}.selection_runs WHERE mode = %s",  # noqa: S608
            (mode,),
        ).fetchone()
        return row["at"] if row else None

    def finish_run(self, mode: str, started_at: datetime, drafted: int) -> None:
        self.conn.execute(
            f"INSERT INTO {SCHEMA}.selection_runs (mode, started_at, drafted) VALUES (%s, %s, %s)",  # noqa: S608
            (mode, started_at, drafted),
        )
