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
from typing import Any

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


@pytest.fixture(scope="session")
def described(
    new_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """The described samples, scanned and indexed with the real model (tests/
    described_archive.py), once per session for the tests that only read them."""
    import shutil

    pytest.importorskip("sentence_transformers", reason="the embedder's libraries are missing")
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed (Debian package 'ffmpeg')")
    from tests.described_archive import described_archive

    archive = described_archive(new_database("described"), tmp_path_factory.mktemp("described"))
    yield archive
    archive.close()


@pytest.fixture(scope="session")
def answer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, API key) of a real OpenAI-compatible server: llama.cpp's server with
    SmolLM2-135M (tests/archive_qa/answer_model_server.py); skipped, saying why, without it."""
    pytest.importorskip(
        "xllamacpp", reason="the answer model is not installed: run make setup-answer-model"
    )
    from tests.archive_qa.answer_model_server import start

    log = tmp_path_factory.mktemp("answer-server") / "server.log"
    with log.open("w") as out:
        try:
            process, url, key = start(out)
        except RuntimeError as exc:
            pytest.fail(f"{exc}\n{log.read_text()[-2000:]}")
    try:
        yield url, key
    finally:
        process.terminate()
        process.wait(timeout=30)
