"""Gold: real embeddings (all-MiniLM-L6-v2), LanceDB index, search, run e-mail via aiosmtpd."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from va_testlib import register

from samples.video_archive.catalog import Catalog
from samples.video_archive.config import Settings
from samples.video_archive.indexing.backends.lancedb import LanceDBIndex
from samples.video_archive.indexing.embeddings import MiniLMEmbedder
from samples.video_archive.indexing.indexer import index_pending
from samples.video_archive.ingestion.scanner import scan_source
from samples.video_archive.pipeline import run_bronze, run_gold
from samples.video_archive.search import Filters, SemanticBackend, run_search
from samples.video_archive.synthetic import Expected

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    model = MiniLMEmbedder()
    model.embed(["warm up"])  # loads the packaged model once per session
    return model


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: object, session: object, envelope) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Inbox]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


def _search(catalog: Catalog, backend: SemanticBackend, query: str, **filters) -> list[dict]:
    return run_search(catalog.conn, backend, query, "hybrid", Filters(**filters), limit=10).items


def _top(results: list[dict]) -> str:
    assert results, "no results"
    return results[0]["location"]


def test_search_finds_videos_by_sidecar_and_path_words(
    catalog: Catalog,
    corpus: tuple[Path, dict[str, Expected]],
    tmp_path: Path,
    embedder: MiniLMEmbedder,
) -> None:
    root, expected = corpus
    register(catalog, "corpus", root)
    scan_source(catalog, "corpus")
    index = LanceDBIndex(tmp_path / "index", dimension=embedder.dimension)
    backend = SemanticBackend(Settings(), embedder=embedder, index=index)

    summary = index_pending(catalog, index, embedder)
    good = [p for p, e in expected.items() if not e.quarantined]
    assert summary.counts["indexed"] == len(good)  # quarantined files are not searchable
    assert index.count() == len(good)

    # Words only in the .srt sidecar, paraphrased rather than quoted:
    assert _top(_search(catalog, backend, "lighthouse keeper")) == ("corpus:harbour/h264_aac.mp4")
    # Words only in the path (unicode directory and file name):
    assert _top(_search(catalog, backend, "fête plage")) == (
        "corpus:Ünïcode dir/Fête à la plage ☀ 2024.mp4"
    )
    # Words from the XMP title and JSON description:
    assert _top(_search(catalog, backend, "golden hour on the quay")) == "corpus:camera.mp4"
    # Filters restrict the candidates:
    only_vp9 = _search(catalog, backend, "lighthouse keeper", video_codec="vp9")
    assert [r["location"] for r in only_vp9] == ["corpus:vp9_opus.webm"]

    assert index_pending(catalog, index, embedder).counts["indexed"] == 0  # rerun: nothing new

    # A moved file is re-indexed under its new path words; its id does not change.
    camera_id = _search(catalog, backend, "golden hour on the quay")[0]["id"]
    (root / "kayak trip").mkdir()
    (root / "camera.mp4").rename(root / "kayak trip/camera.mp4")
    scan_source(catalog, "corpus")
    assert index_pending(catalog, index, embedder).counts["indexed"] == 1
    kayak = _search(catalog, backend, "kayak trip")
    assert kayak[0]["id"] == camera_id
    assert kayak[0]["location"] == "corpus:kayak trip/camera.mp4"


def test_gold_run_mails_its_summary(
    catalog_dsn: str,
    catalog: Catalog,
    corpus: tuple[Path, dict[str, Expected]],
    tmp_path: Path,
    embedder: MiniLMEmbedder,
    smtp_server: tuple[int, _Inbox],
) -> None:
    root, _ = corpus
    port, inbox = smtp_server
    register(catalog, "corpus", root)
    settings = Settings(
        catalog_dsn=catalog_dsn,
        lancedb_dir=tmp_path / "index",
        derivatives_dir=tmp_path / "derivatives",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from="archive@test.invalid",
        smtp_to="ops@test.invalid, lead@test.invalid",
    )
    run_bronze(settings, run_id="run-42")
    result = run_gold(settings, run_id="run-42", embedder=embedder)

    assert result["mailed_to"] == ["ops@test.invalid", "lead@test.invalid"]
    assert len(inbox.messages) == 1
    sender, recipients, content = inbox.messages[0]
    assert sender == "archive@test.invalid"
    assert recipients == ["ops@test.invalid", "lead@test.invalid"]
    message = message_from_bytes(content)
    assert message["Subject"] == f"Video archive run run-42: {result['counts']['indexed']} indexed"
    body = message.get_payload()
    assert "bronze (corpus):" in body and "quarantined 3" in body
    assert "zero_bytes.mp4: empty file (0 bytes)" in body
    assert f"indexed {result['counts']['indexed']}" in body
