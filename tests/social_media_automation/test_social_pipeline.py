"""The social pipeline end to end on real parts: the archive catalog in PostgreSQL, ffmpeg
renders checked with ffprobe and ebur128, the real gateway and HMAC-verifying receiver, and
the Airtable stand-in (named in social_testlib)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from social_testlib import PLATFORMS, SocialArchive, _digests

from integrations.airtable.client import ContentCalendar, Draft
from integrations.social_gateway.client import GatewayClient
from samples.social_media_automation.captions import CaptionError, draft_caption, hashtags
from samples.social_media_automation.config import SocialSettings
from samples.social_media_automation.pipeline import DraftReport, draft, publish_due
from samples.social_media_automation.profiles import PROFILES
from samples.social_media_automation.render import (
    integrated_loudness,
    plan_start,
    probe,
    shift_srt,
)
from samples.social_media_automation.store import PublicationStore

LATER = datetime.now(UTC) + timedelta(days=2)  # every proposed slot has come by then
NAMES = ("harbour/ferry.mp4", "two_scenes.mp4", "blip.mp4", "quay walk.mp4")


# -- fast units --------------------------------------------------------------------------
def test_scene_aware_start() -> None:
    assert plan_start(3.0, [1.5], want_s=30, min_s=1.0) == 1.5
    assert plan_start(3.0, [2.6], want_s=30, min_s=1.0) == 0.0  # too little left after it
    assert plan_start(120.0, [4.0, 80.0], want_s=60, min_s=3) == 4.0
    assert plan_start(2.0, [], want_s=30, min_s=1.0) == 0.0


def test_srt_is_shifted_to_the_clip() -> None:
    srt = "1\n00:00:00,500 --> 00:00:01,000\nbefore\n\n2\n00:00:02,000 --> 00:00:04,500\nkept\n"
    assert shift_srt(srt, 1.5, 2.0) == "1\n00:00:00,500 --> 00:00:02,000\nkept\n"


def test_caption_limits() -> None:
    feed = PLATFORMS["feed"]
    fields = {"title": "Ferry", "description": "", "hashtags": "#Harbour", "tags": "", "date": "",
              "duration": ""}  # fmt: skip
    assert draft_caption(fields, feed) == "Ferry\n\n#Harbour"
    with pytest.raises(CaptionError, match="201 characters after templating; feed allows 200"):
        draft_caption({**fields, "title": "x" * 191}, feed)
    assert hashtags(["old quay", "Quay", "café!"], 5) == ["#OldQuay", "#Quay", "#Caf"]


# -- end to end ------------------------------------------------------------------------------
def _rows(calendar: ContentCalendar) -> dict[str, Any]:
    return calendar.by_key()


def _check_drafts(report: DraftReport, calendar: ContentCalendar, ids: dict[str, int]) -> None:
    """Bad input at draft time: each row Failed with a reason, the others drafted."""
    ferry, scenes, blip, quay = (ids[name] for name in NAMES)
    assert report.failed == {
        f"asset-{blip}:shorts": "the video is 0.6 s long; shorts needs at least 1.0 s",
        f"asset-{blip}:feed": "the video is 0.6 s long; feed needs at least 1.0 s",
        f"asset-{quay}:feed": (
            f"the caption is {report.failed.get(f'asset-{quay}:feed', '')[15:18]} characters "
            "after templating; feed allows 200. Shorten the title/description in the archive "
            "or the template, then set the row back to Draft"
        ),
    }
    assert int(report.failed[f"asset-{quay}:feed"][15:18]) > 200
    assert sorted(report.drafted) == sorted(
        [f"asset-{ferry}:shorts", f"asset-{ferry}:feed", f"asset-{scenes}:shorts",
         f"asset-{scenes}:feed", f"asset-{quay}:shorts"]
    )  # fmt: skip
    rows = _rows(calendar)
    assert {k: r.status for k, r in rows.items()} == {
        **{k: "Draft" for k in report.drafted},
        **{k: "Failed" for k in report.failed},
    }
    assert rows[f"asset-{blip}:feed"].result == "the video is 0.6 s long; feed needs at least 1.0 s"


def _check_clips(
    report: DraftReport, rows: dict[str, Any], settings: SocialSettings, ids: dict[str, int]
) -> None:
    """Rendered clips: size, duration, loudness, cover; the cut starts at the scene change."""
    for key in report.drafted:
        row = rows[key]
        profile = PROFILES[PLATFORMS[row.platform].profile]
        facts = probe(Path(row.media))
        assert (facts["width"], facts["height"]) == (profile.width, profile.height), key
        assert 0.9 <= facts["duration"] <= profile.max_duration_s, key
        assert abs(integrated_loudness(Path(row.media)) - settings.loudness_lufs) <= 1.0
        assert Path(row.cover).stat().st_size > 0
        assert Path(row.media).is_relative_to(settings.derivatives_dir)
    scenes_clip = probe(Path(rows[f"asset-{ids['two_scenes.mp4']}:feed"].media))
    assert 1.3 <= scenes_clip["duration"] <= 1.7  # 3 s video, cut at 1.5 s
    ferry = ids["harbour/ferry.mp4"]
    assert (
        (settings.derivatives_dir / "social" / str(ferry) / "shorts-vertical.captions.srt")
        .read_text(encoding="utf-8")
        .endswith("The ferry leaves the harbour.\n")
    )


def _check_approved_are_published_once(
    approved: list[Any], calendar: ContentCalendar, receiver: Any, dsn: str
) -> None:
    posts = receiver.received.posts
    assert len(posts) == 2
    assert sorted(p["media"]["sha256"] for p in posts) == sorted(
        hashlib.sha256(Path(r.media).read_bytes()).hexdigest() for r in approved
    )
    assert {p["text"] for p in posts} == {r.caption for r in approved}
    rows = _rows(calendar)
    for r in approved:
        assert rows[r.draft_key].status == "Published"
        assert rows[r.draft_key].result.startswith("http://127.0.0.1/posts/")
    stored = {p["draft_key"]: p for p in PublicationStore(dsn).all()}
    assert stored[approved[0].draft_key]["status"] == "Published"
    assert stored[approved[0].draft_key]["url"] == rows[approved[0].draft_key].result


def _publish_bad_input(
    settings: SocialSettings,
    calendar: ContentCalendar,
    gateway: GatewayClient,
    receiver: Any,
    ids: dict[str, int],
) -> None:
    """Bad input at publish time; the batch goes on around each failure."""
    ferry, scenes, _blip, quay = (ids[name] for name in NAMES)
    rows = _rows(calendar)
    receiver.received.refuse_word = "casino"
    calendar.table.update(
        rows[f"asset-{scenes}:shorts"].record_id, {"Caption": "Casino night at the casino"}
    )
    Path(rows[f"asset-{quay}:shorts"].media).unlink()
    yesterday = LATER - timedelta(days=1)
    media = rows[f"asset-{ferry}:feed"].media
    calendar.add_drafts(
        [Draft("manual-1", 0, "myspace", media, "Hi", yesterday, status="Approved")]
    )
    calendar.approve(
        [
            rows[k].record_id
            for k in (f"asset-{scenes}:shorts", f"asset-{quay}:shorts", f"asset-{ferry}:feed")
        ]
    )
    second = publish_due(settings, calendar, gateway, now=LATER)
    assert list(second.published) == [f"asset-{ferry}:feed"]
    assert second.failed == {
        f"asset-{scenes}:shorts": (
            "shorts refused the post (HTTP 400): the text contains 'casino', not allowed"
        ),
        f"asset-{quay}:shorts": (
            f"media file {rows[f'asset-{quay}:shorts'].media} is missing; re-render the clip "
            "(delete the row to re-draft)"
        ),
        "manual-1": ("platform 'myspace' is not configured (known: feed, shorts); fix the row"),
    }
    rows = _rows(calendar)
    for key, reason in second.failed.items():
        assert (rows[key].status, rows[key].result) == ("Failed", reason)
    assert len(receiver.received.posts) == 3


@pytest.mark.slow
def test_draft_approve_publish_and_bad_input(
    social_archive: SocialArchive,
    social_settings: SocialSettings,
    calendar: ContentCalendar,
    receiver: Any,
) -> None:
    ids = {
        r["rel_path"]: r["asset_id"]
        for r in PublicationStore(social_archive.dsn)
        .conn.execute("SELECT rel_path, asset_id FROM files")
        .fetchall()
    }
    ferry, scenes = ids["harbour/ferry.mp4"], ids["two_scenes.mp4"]
    report = draft(social_settings, calendar, ["shorts", "feed"], mode="new")
    _check_drafts(report, calendar, ids)
    rows = _rows(calendar)
    _check_clips(report, rows, social_settings, ids)
    assert _digests(social_archive.originals) == social_archive.digests  # originals untouched

    gateway = GatewayClient(social_settings.gateway_url, social_settings.gateway_api_key)
    # Nothing is published without approval.
    assert publish_due(social_settings, calendar, gateway, now=LATER).published == {}
    assert receiver.received.posts == []

    # A person approves two rows: exactly two posts, with the right media.
    approved = [rows[f"asset-{ferry}:shorts"], rows[f"asset-{scenes}:feed"]]
    calendar.approve([r.record_id for r in approved])
    published = publish_due(social_settings, calendar, gateway, now=LATER)
    assert sorted(published.published) == sorted(r.draft_key for r in approved)
    _check_approved_are_published_once(approved, calendar, receiver, social_archive.dsn)

    _publish_bad_input(social_settings, calendar, gateway, receiver, ids)

    # The next run finds nothing new to draft.
    assert draft(social_settings, calendar, ["shorts", "feed"], mode="new").drafted == []


@pytest.mark.slow
def test_auto_approve_platform_publishes_without_a_person(
    social_settings: SocialSettings, calendar: ContentCalendar, receiver: Any
) -> None:
    feed = PLATFORMS["feed"].model_copy(update={"auto_approve": True})
    settings = social_settings.model_copy(update={"platforms": {**PLATFORMS, "feed": feed}})
    report = draft(settings, calendar, ["feed", "shorts"], mode="tag", value="ferry")
    assert len(report.drafted) == 2
    statuses = {r.platform: r.status for r in calendar.rows()}
    assert statuses == {"feed": "Approved", "shorts": "Draft"}
    published = publish_due(settings, calendar, GatewayClient(settings.gateway_url,
                            settings.gateway_api_key), now=LATER)  # fmt: skip
    assert [k.split(":")[1] for k in published.published] == ["feed"]
    assert len(receiver.received.posts) == 1


@pytest.mark.slow
def test_platform_down_leaves_the_row_approved_for_the_next_run(
    social_settings: SocialSettings, calendar: ContentCalendar, receiver: Any
) -> None:
    report = draft(social_settings, calendar, ["shorts"], mode="tag", value="ferry")
    (key,) = report.drafted
    calendar.approve([calendar.by_key()[key].record_id])
    receiver.received.script.extend([503] * 4)  # the gateway's four attempts all fail
    gateway = GatewayClient(social_settings.gateway_url, social_settings.gateway_api_key)
    first = publish_due(social_settings, calendar, gateway, now=LATER)
    assert list(first.deferred) == [key] and first.failed == {} and first.published == {}
    row = calendar.by_key()[key]
    assert row.status == "Approved" and row.result.startswith("will retry: shorts did not")
    second = publish_due(social_settings, calendar, gateway, now=LATER)
    assert list(second.published) == [key]
    assert len(receiver.received.posts) == 1
