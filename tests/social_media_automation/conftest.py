"""Fixtures of the social pipeline: a real PostgreSQL catalog filled by the archive's own
bronze/silver pipeline from small ffmpeg-made videos, the real webhook receiver, the social
gateway served on loopback, and the Airtable stand-in."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from social_testlib import (
    GATEWAY_KEY,
    LONG_DESCRIPTION,
    PLATFORMS,
    STANDIN_TOKEN,
    WEBHOOK_SECRET,
    ServedApp,
    SocialArchive,
    _digests,
)

from integrations.airtable.client import ContentCalendar
from integrations.postgres.client import connect
from samples.social_media_automation.config import SocialSettings
from samples.video_archive.catalog import open_catalog
from samples.video_archive.config import Settings
from samples.video_archive.ingestion.sources import spec_from_uri
from samples.video_archive.pipeline import run_bronze, run_silver
from samples.video_archive.synthetic import ffmpeg, make_clip
from services.saas_standins.airtable import airtable_standin
from services.saas_standins.webhook_receiver import running
from services.social_gateway.config import GatewaySettings, PlatformSettings


@pytest.fixture(scope="session")
def social_archive(
    new_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SocialArchive]:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed (Debian package 'ffmpeg')")
    base = tmp_path_factory.mktemp("social-archive")
    originals = base / "originals"
    make_clip(originals / "harbour/ferry.mp4", duration=2.0)
    (originals / "harbour/ferry.srt").write_text(
        "1\n00:00:00,200 --> 00:00:01,800\nThe ferry leaves the harbour.\n", encoding="utf-8"
    )
    (originals / "harbour/ferry.json").write_text(
        json.dumps({"description": "Morning ferry", "tags": ["harbour", "ferry"]}),
        encoding="utf-8",
    )
    # Two scenes of 1.5 s each, with sound: the clip should start at the cut.
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=1.5",
        "-f", "lavfi", "-i", "smptebars=size=160x120:rate=25:duration=1.5",
        "-f", "lavfi", "-i", "sine=frequency=330:duration=3",
        "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]", "-map", "[v]", "-map", "2:a",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        str(originals / "two_scenes.mp4"),
    )  # fmt: skip
    make_clip(originals / "blip.mp4", duration=0.6)
    make_clip(originals / "quay walk.mp4", duration=1.5)
    (originals / "quay walk.json").write_text(
        json.dumps({"description": LONG_DESCRIPTION, "tags": ["quay"]}), encoding="utf-8"
    )
    digests = _digests(originals)
    dsn = new_database("social")
    settings = Settings(
        catalog_dsn=dsn,
        derivatives_dir=base / "archive-derivatives",
        lancedb_dir=base / "index",
        workers=2,
    )
    catalog = open_catalog(dsn)
    catalog.add_source(spec_from_uri("main", str(originals)))
    run_bronze(settings, catalog=catalog)
    run_silver(settings, catalog=catalog)
    catalog.close()
    yield SocialArchive(dsn, originals, digests)


@pytest.fixture
def fresh_tables(social_archive: SocialArchive) -> None:
    """Each test starts with no drafts or posts (the archive itself is shared)."""
    with connect(social_archive.dsn, autocommit=True) as conn:
        for table in ("social_automation.publications", "social_automation.selection_runs",
                      "social_gateway.posts"):  # fmt: skip
            exists = conn.execute("SELECT to_regclass(%s) AS t", (table,)).fetchone()
            if exists and exists["t"]:
                conn.execute(f"TRUNCATE {table}")


@pytest.fixture
def receiver() -> Iterator[Any]:
    with running(WEBHOOK_SECRET) as server:
        server.url = f"http://127.0.0.1:{server.server_address[1]}/hook"  # type: ignore[attr-defined]
        yield server


@pytest.fixture
def derivatives(tmp_path: Path) -> Path:
    path = tmp_path / "derivatives"
    path.mkdir()
    return path


@pytest.fixture
def gateway(
    social_archive: SocialArchive, fresh_tables: None, receiver: Any, derivatives: Path
) -> Iterator[ServedApp]:
    """The gateway on loopback; both pipeline platforms go to the webhook receiver, the
    second one rate-limited to one post every 3 s (so a kill can land between posts)."""
    from services.social_gateway.app import create_app

    hook = {"kind": "webhook", "url": receiver.url, "secret": WEBHOOK_SECRET}
    settings = GatewaySettings.load(
        {},
        dsn=social_archive.dsn,
        api_keys={"ci": hashlib.sha256(GATEWAY_KEY.encode()).hexdigest()},
        platforms={
            "shorts": PlatformSettings(name="shorts", **hook),
            "feed": PlatformSettings(name="feed", **hook, per_minute=20),
        },
        media_root=derivatives,
    )
    served = ServedApp(create_app(settings))
    yield served
    served.stop()


@pytest.fixture
def airtable() -> Iterator[tuple[ServedApp, dict[str, Any]]]:
    app, tables = airtable_standin(STANDIN_TOKEN)
    served = ServedApp(app)
    yield served, tables
    served.stop()


@pytest.fixture
def calendar(airtable: tuple[ServedApp, dict[str, Any]]) -> ContentCalendar:
    return ContentCalendar(
        STANDIN_TOKEN, "appSOCIAL", "Content calendar", endpoint_url=airtable[0].url
    )


@pytest.fixture
def social_settings(
    social_archive: SocialArchive, fresh_tables: None, derivatives: Path, gateway: ServedApp
) -> SocialSettings:
    return SocialSettings.load(
        {},
        catalog_dsn=social_archive.dsn,
        derivatives_dir=derivatives,
        gateway_url=gateway.url,
        gateway_api_key=GATEWAY_KEY,
        platforms=dict(PLATFORMS),
    )
