"""Fixtures for the web service: a real PostgreSQL catalog filled by the real pipeline
(bronze + silver) from ffmpeg-made videos, users and API keys, the app in-process and, for
the browser tests, served by uvicorn on a free loopback port."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from web_testlib import EDITOR, EDITOR_KEY, VIEWER, VIEWER_KEY, Archive

from samples.video_archive.catalog import open_catalog
from samples.video_archive.config import Settings
from samples.video_archive.ingestion.sources import spec_from_uri
from samples.video_archive.pipeline import run_bronze, run_silver
from samples.video_archive.synthetic import ffmpeg, make_clip, make_corpus
from samples.video_archive.web.auth import hash_password
from samples.video_archive.web.settings import Principal, WebSettings


def _sha(key: str) -> str:
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()


@pytest.fixture(scope="session")
def archive(
    new_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Archive:
    """The synthetic corpus plus a longer clip (for playback), scanned and derived."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed (Debian package 'ffmpeg')")
    base = tmp_path_factory.mktemp("web-archive")
    originals = base / "originals"
    make_corpus(originals)
    (originals / "copies").mkdir()
    make_clip(originals / "trips/lisbon tram ride.mp4", duration=6.0)
    # A re-encode of the harbour clip at another size and codec: a near-duplicate.
    harbour, copy = originals / "harbour/h264_aac.mp4", originals / "copies/harbour big.mkv"
    ffmpeg("-i", str(harbour), "-vf", "scale=320:240", "-c:v", "mpeg4", "-an", str(copy))
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for the web\n")
    archive_settings = Settings(
        catalog_dsn=new_database("web_archive"),
        derivatives_dir=base / "derivatives",
        lancedb_dir=base / "index",
        workers=2,
    )
    catalog = open_catalog(archive_settings.catalog_dsn)
    catalog.add_source(spec_from_uri("main", str(originals)))
    catalog.add_source(spec_from_uri("unplugged", str(base / "unplugged-disk")))
    run_bronze(archive_settings, catalog=catalog)
    run_silver(archive_settings, catalog=catalog)
    catalog.close()
    users = {
        EDITOR[0]: Principal(EDITOR[0], "editor", hash_password(EDITOR[1])),
        VIEWER[0]: Principal(VIEWER[0], "viewer", hash_password(VIEWER[1])),
    }
    keys = {
        "ci-editor": Principal("ci-editor", "editor", _sha(EDITOR_KEY)),
        "ci-viewer": Principal("ci-viewer", "viewer", _sha(VIEWER_KEY)),
    }
    settings = WebSettings(
        archive=archive_settings,
        session_secret="s" * 48,
        users=users,
        api_keys=keys,
        page_size=24,
        warm_semantic=False,
    )
    return Archive(settings, originals, outside)


@pytest.fixture(scope="session")
def gold_run(archive: Archive) -> dict:
    """The gold layer run once per test process over the archive (real MiniLM embeddings,
    the LanceDB index); its result. Every module that needs the index shares this run, so
    none depends on which module a worker happens to run first."""
    from samples.video_archive.indexing.embeddings import MiniLMEmbedder
    from samples.video_archive.pipeline import run_gold

    return run_gold(archive.settings.archive, embedder=MiniLMEmbedder())


@pytest.fixture
def client(archive: Archive) -> Iterator:
    from fastapi.testclient import TestClient

    from samples.video_archive.web.app import create_app

    with TestClient(create_app(archive.settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_server(archive: Archive) -> Iterator[str]:
    """The app served by uvicorn in a thread; yields its base URL."""
    import uvicorn

    from samples.video_archive.web.app import create_app

    # Bound here and handed to uvicorn: no other process (another pytest-xdist worker) can take
    # the port between choosing it and serving on it.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        create_app(archive.settings.model_copy()), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
