"""Shared storage on S3: silver stores derivatives in the bucket, gold writes the LanceDB index
there, the web streams the derivatives back (ranges included). S3 is a real moto server on
loopback (platformctl.terraform_moto.MotoServer), reached through AWS_ENDPOINT_URL as the
workers reach emulated AWS; plus the store's rules on plain paths."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from va_testlib import register

from samples.video_archive.catalog import Catalog
from samples.video_archive.config import Settings
from samples.video_archive.ingestion.scanner import scan_source
from samples.video_archive.storage import (
    LocalStore,
    S3Store,
    StorageLocationError,
    lance_storage_options,
    storage_location,
)
from samples.video_archive.synthetic import Expected

API_KEY = "storage-test-key-" + "k" * 32


class HashEmbedder:
    """A deterministic stand-in for MiniLM (the index, not the model, is under test)."""

    name = "hash"
    dimension = 384

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            row = np.random.default_rng(seed).standard_normal(self.dimension)
            rows.append(row / np.linalg.norm(row))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dimension)


def test_locations_and_keys(tmp_path: Path) -> None:
    assert storage_location("s3://bucket/some/prefix/") == "s3://bucket/some/prefix"
    assert storage_location("s3://bucket") == "s3://bucket"
    assert storage_location("~/derived") == Path.home() / "derived"
    for bad in ("http://host/x", "s3://", "s3://bucket/../x"):
        with pytest.raises(StorageLocationError):
            storage_location(bad)
    store = LocalStore(tmp_path)
    source = tmp_path.parent / "poster-source.jpg"
    source.write_bytes(b"jpeg")
    stored = store.put(source, "ab/abcd/poster.jpg")
    assert Path(stored).read_bytes() == b"jpeg"
    assert store.locate(stored) == "ab/abcd/poster.jpg"
    assert store.locate(str(tmp_path / "ab/../../etc/passwd")) is None
    assert store.locate("/etc/passwd") is None
    with pytest.raises(StorageLocationError):
        store.put(source, "../escape.jpg")
    s3 = S3Store("s3://bucket/archive", client=object())
    assert s3.locate("s3://bucket/archive/ab/abcd/poster.jpg") == "ab/abcd/poster.jpg"
    assert s3.locate("s3://bucket/archived/x.jpg") is None
    assert s3.locate("s3://other/archive/x.jpg") is None
    assert s3.locate("s3://bucket/archive/../secret") is None


def test_lance_options_from_the_aws_environment() -> None:
    emulated = lance_storage_options(
        {
            "AWS_ENDPOINT_URL": "http://10.89.0.5:5000",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "id",
            "AWS_SECRET_ACCESS_KEY": "secret",
        }
    )
    assert emulated == {
        "aws_endpoint": "http://10.89.0.5:5000",
        "allow_http": "true",
        "aws_region": "eu-west-1",
        "aws_access_key_id": "id",
        "aws_secret_access_key": "secret",
    }
    s3_only = lance_storage_options(
        {"AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_S3": "https://s3.example"}
    )
    assert s3_only == {"aws_endpoint": "https://s3.example"}  # no allow_http over TLS
    assert lance_storage_options({"AWS_REGION": "us-east-2"}) == {"aws_region": "us-east-2"}


@pytest.fixture
def moto_s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    from platformctl.terraform_moto import MotoServer

    boto3 = pytest.importorskip("boto3")
    server = MotoServer()
    try:
        url = server.start()
    except RuntimeError as exc:
        pytest.skip(f"no moto server: {exc}")
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": url,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    from samples.video_archive.web import playback

    playback._store.cache_clear()  # a store per location: this server's, not a previous one
    try:
        client = boto3.client("s3")
        client.create_bucket(Bucket="derivatives")
        yield client
    finally:
        server.stop()
        playback._store.cache_clear()


@pytest.mark.slow
def test_derivatives_and_index_in_a_bucket_served_by_the_web(
    catalog: Catalog,
    catalog_dsn: str,
    corpus: tuple[Path, dict[str, Expected]],
    moto_s3: object,
) -> None:
    from fastapi.testclient import TestClient

    from samples.video_archive.indexing.backends.lancedb import LanceDBIndex
    from samples.video_archive.pipeline import run_gold, run_silver
    from samples.video_archive.search import SemanticBackend
    from samples.video_archive.web.app import create_app
    from samples.video_archive.web.settings import Principal, WebSettings

    root, expected = corpus
    register(catalog, "corpus", root)
    scan_source(catalog, "corpus")
    settings = Settings(
        catalog_dsn=catalog_dsn,
        derivatives_dir="s3://derivatives/archive",
        lancedb_dir="s3://derivatives/index",
        workers=2,
        gpu="off",
    )
    good = len([e for e in expected.values() if not e.quarantined])
    silver = run_silver(settings)
    assert silver["counts"]["derived"] == good, silver["errors"]
    gold = run_gold(settings, embedder=HashEmbedder())
    assert gold["counts"]["indexed"] == good
    assert LanceDBIndex("s3://derivatives/index", dimension=384).count() == good

    avi = catalog._one(
        "SELECT a.id, a.poster_path, a.proxy_path FROM assets a JOIN files f "
        "ON f.asset_id = a.id WHERE f.rel_path = 'mpeg4.avi'"
    )
    assert avi["poster_path"].startswith("s3://derivatives/archive/")
    keys = {o["Key"] for o in moto_s3.list_objects_v2(Bucket="derivatives")["Contents"]}  # type: ignore[attr-defined]
    assert avi["proxy_path"].removeprefix("s3://derivatives/") in keys
    proxy_bytes = moto_s3.get_object(  # type: ignore[attr-defined]
        Bucket="derivatives", Key=avi["proxy_path"].removeprefix("s3://derivatives/")
    )["Body"].read()

    web = WebSettings(
        archive=settings,
        session_secret="s" * 48,
        api_keys={"t": Principal("t", "viewer", hashlib.sha256(API_KEY.encode()).hexdigest())},
        warm_semantic=False,
    )
    headers = {"X-API-Key": API_KEY}
    semantic = SemanticBackend(settings, embedder=HashEmbedder())
    with TestClient(create_app(web, semantic=semantic)) as client:
        found = client.get("/api/v1/search?q=a+clip&mode=semantic", headers=headers)
        assert found.status_code == 200 and found.json()["total"] == good
        metrics = client.get("/metrics", headers=headers).text
        assert "video_archive_semantic_graph_searches_total 1.0" in metrics
        poster = client.get(f"/api/v1/assets/{avi['id']}/media/poster", headers=headers)
        assert poster.status_code == 200 and poster.headers["content-type"] == "image/jpeg"
        assert poster.content[:2] == b"\xff\xd8"
        ranged = client.get(
            f"/api/v1/assets/{avi['id']}/media/playable",
            headers={**headers, "Range": "bytes=100-1099"},
        )
        assert ranged.status_code == 206
        assert ranged.headers["content-range"] == f"bytes 100-1099/{len(proxy_bytes)}"
        assert ranged.content == proxy_bytes[100:1100]
        head = client.head(f"/api/v1/assets/{avi['id']}/media/proxy", headers=headers)
        assert head.headers["content-length"] == str(len(proxy_bytes))
        moto_s3.delete_object(  # type: ignore[attr-defined]
            Bucket="derivatives", Key=avi["proxy_path"].removeprefix("s3://derivatives/")
        )
        gone = client.get(f"/api/v1/assets/{avi['id']}/media/proxy", headers=headers)
        assert gone.status_code == 404


def test_the_index_graph_in_a_bucket_is_saved_and_served(moto_s3: object) -> None:
    from samples.video_archive.indexing.backends import IndexedAsset
    from samples.video_archive.indexing.backends.lancedb import LanceDBIndex

    embedder = HashEmbedder()
    texts = [f"clip {i}" for i in range(1, 61)]
    items = [
        IndexedAsset(i, vector.tolist(), text, "", 1.0, "h264")
        for i, text, vector in zip(range(1, 61), texts, embedder.embed(texts), strict=True)
    ]
    writer = LanceDBIndex("s3://derivatives/graph-index", dimension=384, ann_min_rows=50)
    writer.upsert(items)
    writer.optimize()
    keys = {o["Key"] for o in moto_s3.list_objects_v2(Bucket="derivatives")["Contents"]}  # type: ignore[attr-defined]
    assert {"graph-index/video_assets.graph.usearch", "graph-index/video_assets.graph.json"} <= keys

    reader = LanceDBIndex("s3://derivatives/graph-index", dimension=384, ann_min_rows=50)
    assert reader.search(items[17].vector, limit=1)[0].asset_id == 18
    assert reader.graph.served == 1
