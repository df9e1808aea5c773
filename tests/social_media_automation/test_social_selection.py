"""Candidate selection over the real archive catalog: by tag, by saved search, new since the
last run, and never a pair that already has a draft."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from social_testlib import SocialArchive

from samples.social_media_automation.selection import candidates, select_assets
from samples.social_media_automation.store import PublicationStore
from samples.video_archive.catalog import open_catalog


@pytest.mark.slow
def test_selection_modes(social_archive: SocialArchive, fresh_tables: None) -> None:
    catalog = open_catalog(social_archive.dsn, migrate=False)
    store = PublicationStore(social_archive.dsn)
    try:

        def paths(rows: list[dict]) -> list[str]:
            return sorted(c.rel_path for c in candidates(catalog, rows))

        assert paths(select_assets(catalog, mode="tag", value="quay")) == ["quay walk.mp4"]
        assert paths(select_assets(catalog, mode="search", value="FERRY")) == ["harbour/ferry.mp4"]
        everything = paths(select_assets(catalog, mode="new"))
        assert everything == ["blip.mp4", "harbour/ferry.mp4", "quay walk.mp4", "two_scenes.mp4"]
        ferry = candidates(catalog, select_assets(catalog, mode="tag", value="ferry"))[0]
        assert ferry.subtitles_srt and "The ferry leaves the harbour." in ferry.subtitles_srt
        store.finish_run("new", datetime.now(UTC), 0)
        assert select_assets(catalog, mode="new", since=store.last_run("new")) == []
        with pytest.raises(ValueError, match="selection by tag needs a tag"):
            select_assets(catalog, mode="tag")
    finally:
        catalog.close()
        store.close()


@pytest.mark.slow
def test_derivatives_inside_an_archive_source_are_refused(
    social_archive: SocialArchive, fresh_tables: None
) -> None:
    from pyairtable.testing import MockAirtable

    from integrations.airtable.client import ContentCalendar
    from samples.social_media_automation.config import SocialSettings
    from samples.social_media_automation.pipeline import draft

    settings = SocialSettings.load(
        {}, catalog_dsn=social_archive.dsn, derivatives_dir=social_archive.originals / "social"
    )
    with MockAirtable(), pytest.raises(ValueError, match="clips never go beside originals"):
        draft(settings, ContentCalendar("pat-x", "appX", "t"), ["shorts"], mode="all")
    assert not (social_archive.originals / "social").exists()
