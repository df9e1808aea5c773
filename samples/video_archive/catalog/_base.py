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

    def _all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall())

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> dict[str, Any] | None:
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()
