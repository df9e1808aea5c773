"""An S3 prefix as a source: listing, ranged-GET fingerprints, ffprobe over presigned URLs.

S3 is emulated by moto's server on 127.0.0.1 (a real HTTP endpoint that ffprobe reads).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from samples.video_archive.catalog import Catalog
from samples.video_archive.ingestion.scanner import scan_source
from samples.video_archive.ingestion.sources import spec_from_uri
from samples.video_archive.synthetic import Expected

pytestmark = pytest.mark.slow


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    moto_server = pytest.importorskip("moto.server", reason="moto[server] is not installed")
    import boto3

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_S3": endpoint,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }.items():
        monkeypatch.setenv(key, value)
    try:
        yield boto3.client("s3", endpoint_url=endpoint)
    finally:
        server.stop()


def test_scan_an_s3_prefix(
    catalog: Catalog, corpus: tuple[Path, dict[str, Expected]], s3: object
) -> None:
    root, _ = corpus
    s3.create_bucket(Bucket="raw")  # type: ignore[attr-defined]
    for rel in ("harbour/h264_aac.mp4", "harbour/h264_aac.srt", "mpeg4.avi", "not_a_video.mp4"):
        s3.upload_file(str(root / rel), "raw", f"incoming/{rel}")  # type: ignore[attr-defined]
    s3.put_object(Bucket="raw", Key="elsewhere/other.mp4", Body=b"outside the prefix")  # type: ignore[attr-defined]
    catalog.add_source(spec_from_uri("bucket", "s3://raw/incoming"))

    summary = scan_source(catalog, "bucket")
    assert summary.counts["seen"] == 3
    assert summary.counts["probed"] == 2
    assert summary.counts["quarantined"] == 1
    row = catalog._one(
        "SELECT a.* FROM assets a JOIN files f ON f.asset_id = a.id "
        "WHERE f.rel_path = 'harbour/h264_aac.mp4'"
    )
    assert row["video_codec"] == "h264" and row["width"] == 160
    assert "lighthouse keeper" in row["sidecar_text"]

    # The same bytes on local disk have the same identity as in the bucket.
    catalog.add_source(spec_from_uri("disk", str(root)))
    scan_source(catalog, "disk")
    ids = catalog._all(
        "SELECT DISTINCT asset_id FROM files WHERE rel_path = 'harbour/h264_aac.mp4'"
    )
    assert len(ids) == 1

    assert scan_source(catalog, "bucket").counts["unchanged"] == 3

    catalog.add_source(spec_from_uri("gone", "s3://no-such-bucket/x"))
    offline = scan_source(catalog, "gone")
    assert offline.offline and "not reachable" in (offline.offline_reason or "")
