"""The connection and the query helpers every part of the catalog shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg


class CatalogBase:
    """One connection to the catalog; the query groups build on this."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()

    def mark_fileless_edits(self) -> int:
        """Mark edited assets that have no file row left as kept without a file; return how
        many were newly marked. Called by the purge and by source removal."""
        with self.conn.cursor() as cur:
            cur.execute(
                "UPDATE assets a SET file_gone_at = now() WHERE a.edited_at IS NOT NULL "
                "AND a.file_gone_at IS NULL AND NOT EXISTS "
                "(SELECT 1 FROM files f WHERE f.asset_id = a.id)"
            )
            return cur.rowcount

    def _all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall())

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> dict[str, Any] | None:
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()
