"""The content-calendar client against pyairtable's own testing utility (MockAirtable),
which stands in for Airtable's API in-process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pyairtable.testing import MockAirtable

from integrations.airtable.client import CalendarConfigError, ContentCalendar, Draft

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _draft(asset: int, platform: str, slot: datetime) -> Draft:
    return Draft(f"asset-{asset}:{platform}", asset, platform, f"/d/{asset}.mp4", "Hi", slot)


def test_drafts_once_per_key_and_due_rows() -> None:
    calendar = ContentCalendar("pat-test", "appTEST", "Content calendar")
    with MockAirtable():
        first = calendar.add_drafts([_draft(1, "hook", NOW), _draft(2, "hook", NOW)])
        again = calendar.add_drafts([_draft(1, "hook", NOW), _draft(3, "mastodon", NOW)])
        assert [r.draft_key for r in first] == ["asset-1:hook", "asset-2:hook"]
        assert [r.draft_key for r in again] == ["asset-3:mastodon"]
        assert calendar.due(NOW) == []  # nothing approved yet
        later = calendar.add_drafts([_draft(4, "hook", NOW + timedelta(hours=1))])
        calendar.approve([first[1].record_id, later[0].record_id])
        due = calendar.due(NOW)
        assert [r.draft_key for r in due] == ["asset-2:hook"]
        assert due[0].slot == NOW and due[0].asset_id == 2
        calendar.set_status(due[0].record_id, "Failed", "media file missing")
        failed = calendar.rows("Failed")
        assert [(r.draft_key, r.result) for r in failed] == [("asset-2:hook", "media file missing")]
        with pytest.raises(ValueError, match="status must be one of"):
            calendar.set_status(due[0].record_id, "Maybe")


def test_settings_are_required() -> None:
    with pytest.raises(CalendarConfigError, match="SOCIAL_AIRTABLE_BASE"):
        ContentCalendar.from_env({})
    with pytest.raises(CalendarConfigError, match="SOCIAL_AIRTABLE_TOKEN"):
        ContentCalendar.from_env({"SOCIAL_AIRTABLE_BASE": "appX"})
