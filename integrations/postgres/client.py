"""Open PostgreSQL connections with errors a user can act on."""

from __future__ import annotations

import psycopg
from psycopg.rows import dict_row


class CatalogUnavailableError(RuntimeError):
    """The database named by a DSN cannot be reached or refuses the login."""


def redact_dsn(dsn: str) -> str:
    """Return the DSN with any password replaced, safe to print in an error message."""
    try:
        params = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "<unparseable DSN>"
    if "password" in params:
        params["password"] = "***"  # noqa: S105 - a mask, not a credential
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items()})


def connect(dsn: str, *, autocommit: bool = False, connect_timeout: int = 10) -> psycopg.Connection:
    """Connect to PostgreSQL; rows come back as dicts.

    Raises CatalogUnavailableError with the (redacted) DSN and the server's reason instead of
    a driver traceback, so a command line can print one actionable line.
    """
    try:
        return psycopg.connect(
            dsn,
            autocommit=autocommit,
            row_factory=dict_row,
            connect_timeout=connect_timeout,
        )
    except (psycopg.OperationalError, psycopg.ProgrammingError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CatalogUnavailableError(
            f"cannot connect to the catalog at {redact_dsn(dsn)}: {reason}"
        ) from exc
