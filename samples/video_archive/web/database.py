"""The web service's pooled catalog connections."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from integrations.postgres.client import redact_dsn
from samples.video_archive.web.errors import ApiError

logger = logging.getLogger(__name__)


class CatalogPool:
    """Connections to the catalog, opened on first use; an unreachable catalog is a 503."""

    def __init__(self, dsn: str, size: int) -> None:
        self.dsn = dsn
        self.pool = ConnectionPool(
            dsn,
            min_size=1,
            max_size=size,
            # Autocommit: a search is one statement, so no BEGIN before it and no COMMIT when
            # the pool takes the connection back (two round trips fewer per request). The
            # only write (an edit) is a single UPDATE, atomic on its own.
            kwargs={"row_factory": dict_row, "connect_timeout": 5, "autocommit": True},
            open=False,
            timeout=10,
            name="video-archive-web",
        )

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """One connection for one statement or a few; back to the pool afterwards."""
        if self.pool.closed:
            self.pool.open(wait=False)
        try:
            with self.pool.connection() as conn:
                yield conn
        except PoolTimeout as exc:
            logger.warning("the catalog at %s is not reachable: %s", redact_dsn(self.dsn), exc)
            raise ApiError(503, "the catalog is not reachable; try again shortly") from exc

    def close(self) -> None:
        self.pool.close()
