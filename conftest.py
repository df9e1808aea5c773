"""Fixtures every test directory shares (this file sits at the root so that the repository, not
tests/, is what pytest puts on sys.path: tests/services must not hide the services package).

One throwaway PostgreSQL cluster for the whole session (tests/postgres_server.py), and a
factory of fresh databases in it: each suite asks for its own database instead of starting
a cluster of its own.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator

import pytest

from tests.postgres_server import EphemeralPostgres, EphemeralPostgresError, find_pg_bin

_database_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[EphemeralPostgres]:
    """The session's cluster; tests that need PostgreSQL skip, saying why, without one."""
    try:
        find_pg_bin()
    except EphemeralPostgresError as exc:
        pytest.skip(f"no PostgreSQL server binaries: {exc}")
    with EphemeralPostgres(database="postgres_tests") as cluster:
        yield cluster


@pytest.fixture(scope="session")
def new_database(postgres_cluster: EphemeralPostgres) -> Callable[[str], str]:
    """``new_database("web")`` -> the DSN of a new, empty database of the session's cluster."""

    def create(prefix: str = "test") -> str:
        return postgres_cluster.create_database(f"{prefix}_{os.getpid()}_{next(_database_numbers)}")

    return create
