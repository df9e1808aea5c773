"""The pipeline's steps: draft (select, render, caption, calendar rows) and publish (due
approved rows through the gateway, results back to Airtable and PostgreSQL).

Every row is handled on its own: bad input ends that row ``Failed`` with a reason a person
can act on, and the batch goes on. Publishing is safe to kill and re-run: the idempotency key
is derived from the calendar row and its revision (a digest of the fields that make the
post), so the gateway returns the earlier post of an unchanged row instead of making a second
one, while a row a person corrected (caption, media or platform) gets a new post.

A post whose outcome the gateway reports ``unknown`` (sent, no answer: the platform may have
it) is never sent again from here: the row stays ``Approved`` with the reason, and the run
reports it under ``unknown`` until a person confirms or re-queues it at the gateway.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from integrations.airtable.client import CalendarRow, ContentCalendar, Draft
from integrations.social_gateway.client import GatewayClient, GatewayError
from samples.social_media_automation.captions import CaptionError, caption_fields, draft_caption
from samples.social_media_automation.config import PlatformConfig, SocialSettings
from samples.social_media_automation.profiles import PROFILES
from samples.social_media_automation.render import ClipPlan, RenderError, plan_start, render_clip
from samples.social_media_automation.selection import Candidate, candidates, select_assets
from samples.social_media_automation.store import PublicationStore
from samples.video_archive.catalog import Catalog, open_catalog


@dataclass
class DraftReport:
    drafted: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: int = 0


@dataclass
class PublishReport:
    published: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    # Left Approved for the next run: the gateway was unreachable or still busy with the key.
    deferred: dict[str, str] = field(default_factory=dict)
    # Sent, but the platform never answered: it may have the post. Left Approved and never
    # re-sent; a person checks the platform and confirms or re-queues it at the gateway.
    unknown: dict[str, str] = field(default_factory=dict)


def draft_key(asset_id: int, platform: str) -> str:
    return f"asset-{asset_id}:{platform}"


def row_revision(row: CalendarRow) -> str:
    """The revision of what a row would post: a digest of platform, caption and media path.

    The calendar has no revision field, and its last-modified time changes whenever the
    pipeline itself writes Status or Result back; the digest changes only when a person
    edits what is posted, which is what must make a new post."""
    made_of = {"platform": row.platform, "caption": row.caption, "media": row.media}
    return hashlib.sha256(json.dumps(made_of, sort_keys=True).encode()).hexdigest()[:16]


def idempotency_key(row: CalendarRow) -> str:
    """One publish per calendar row and revision, however often the publisher is re-run."""
    return f"calendar-{row.record_id}-r{row_revision(row)}"


def plan_clip(candidate: Candidate, platform: PlatformConfig, logo: Path | None) -> ClipPlan:
    """What to cut for a platform, or RenderError when the video cannot make a clip."""
    profile = PROFILES[platform.profile]
    asset = candidate.asset
    duration = float(asset.get("duration_s") or 0)
    if duration < platform.min_duration_s:
        raise RenderError(
            f"the video is {duration:.1f} s long; {platform.name} needs at least "
            f"{platform.min_duration_s:.1f} s"
        )
    want = min(platform.clip_s, profile.max_duration_s)
    cuts = [float(c) for c in asset.get("scene_cuts_s") or []]
    start = plan_start(duration, cuts, want, platform.min_duration_s)
    length = round(min(want, duration - start), 3)
    return ClipPlan(
        source=candidate.location,
        start_s=start,
        duration_s=length,
        profile=profile,
        has_audio=bool(asset.get("audio_codec")),
        subtitles_srt=candidate.subtitles_srt,
        logo=logo,
    )


def _draft_one(
    settings: SocialSettings, candidate: Candidate, platform: PlatformConfig, slot: datetime
) -> Draft:
    key = draft_key(candidate.asset_id, platform.name)
    failed = Draft(key, candidate.asset_id, platform.name, "", "", slot, status="Failed")
    try:
        fields = caption_fields(candidate.asset, candidate.rel_path, platform.hashtag_limit)
        caption = draft_caption(fields, platform)
        plan = plan_clip(candidate, platform, settings.logo)
        out_dir = settings.derivatives_dir / "social" / str(candidate.asset_id)
        clip = render_clip(
            plan, out_dir, f"{platform.name}-{platform.profile}",
            target_lufs=settings.loudness_lufs, true_peak=settings.true_peak_db,
        )  # fmt: skip
    except (CaptionError, RenderError) as exc:
        return Draft(**{**failed.__dict__, "result": str(exc)})
    status = "Approved" if platform.auto_approve else "Draft"
    return Draft(
        key, candidate.asset_id, platform.name, str(clip.path), caption, slot,
        cover=str(clip.cover), status=status,
    )  # fmt: skip


def refuse_derivatives_among_originals(catalog: Catalog, derivatives: Path) -> None:
    """ValueError when the derivatives directory overlaps a local source: clips are never
    written beside originals (the archive agent's clips neither)."""
    target = derivatives.expanduser().resolve()
    for source in catalog.list_sources():
        if source.spec.kind != "local":
            continue
        root = Path(source.spec.uri.removeprefix("file://")).expanduser().resolve()
        if target.is_relative_to(root) or root.is_relative_to(target):
            raise ValueError(
                f"the derivatives directory {target} overlaps the archive source "
                f"{source.spec.name!r} ({root}); clips never go beside originals: set "
                "SOCIAL_DERIVATIVES_DIR elsewhere"
            )


def draft(
    settings: SocialSettings,
    calendar: ContentCalendar,
    platforms: Iterable[str],
    *,
    mode: str = "new",
    value: str | None = None,
    limit: int = 20,
    now: datetime | None = None,
) -> DraftReport:
    """Select candidates, render and caption them per platform, and add calendar rows."""
    now = now or datetime.now(UTC)
    report = DraftReport()
    names = list(platforms)
    unknown = [p for p in names if p not in settings.platforms]
    if unknown:
        raise ValueError(
            f"unknown platform(s) {', '.join(unknown)}; configured: {', '.join(settings.platforms)}"
        )
    store = PublicationStore(settings.catalog_dsn)
    catalog = open_catalog(settings.catalog_dsn, migrate=False)
    try:
        refuse_derivatives_among_originals(catalog, settings.derivatives_dir)
        since = store.last_run(mode) if mode == "new" else None
        assets = select_assets(catalog, mode=mode, value=value, since=since, limit=limit)
        done = store.existing_pairs()
        per_platform: Counter[str] = Counter()
        drafts: list[Draft] = []
        for candidate in candidates(catalog, assets):
            for name in names:
                if (candidate.asset_id, name) in done:
                    report.skipped += 1
                    continue
                per_platform[name] += 1
                slot = now + timedelta(minutes=settings.slot_spacing_min * per_platform[name])
                drafts.append(_draft_one(settings, candidate, settings.platforms[name], slot))
        calendar.add_drafts(drafts)
        rows = calendar.by_key()
        for d in drafts:
            row = rows.get(d.draft_key)
            store.record(
                d.draft_key, d.asset_id, d.platform,
                record_id=row.record_id if row else None, status=d.status,
                media_path=d.media or None, cover_path=d.cover or None, caption=d.caption,
                reason=d.result or None,
            )  # fmt: skip
            if d.status == "Failed":
                report.failed[d.draft_key] = d.result
            else:
                report.drafted.append(d.draft_key)
        store.finish_run(mode, now, len(report.drafted))
    finally:
        catalog.close()
        store.close()
    return report


def _check_row(settings: SocialSettings, row: CalendarRow) -> str | None:
    """Why a due row cannot be published, or None."""
    platform = settings.platforms.get(row.platform)
    if platform is None:
        known = ", ".join(sorted(settings.platforms))
        return f"platform {row.platform!r} is not configured (known: {known}); fix the row"
    if not row.media:
        return "the row has no media file; re-draft it"
    if not Path(row.media).is_file():
        return f"media file {row.media} is missing; re-render the clip (delete the row to re-draft)"
    try:
        draft_caption({"caption": row.caption}, _as_is(platform))
    except CaptionError as exc:
        return str(exc).split(". Shorten")[0] + "; shorten the caption in the row"
    return None


def _as_is(platform: PlatformConfig) -> PlatformConfig:
    return platform.model_copy(update={"template": "{caption}"})


def publish_due(
    settings: SocialSettings,
    calendar: ContentCalendar,
    gateway: GatewayClient,
    *,
    now: datetime | None = None,
) -> PublishReport:
    """Post every due Approved row once; write outcomes to Airtable and PostgreSQL."""
    report = PublishReport()
    store = PublicationStore(settings.catalog_dsn)
    try:
        for row in calendar.due(now):
            key = row.draft_key or f"manual-{row.record_id}"
            values: dict[str, Any] = {"record_id": row.record_id, "caption": row.caption}
            problem = _check_row(settings, row)
            if problem is None:
                try:
                    post = gateway.publish(
                        platform=row.platform, text=row.caption,
                        idempotency_key=idempotency_key(row), media_path=row.media,
                    )  # fmt: skip
                except GatewayError as exc:
                    if exc.retryable:
                        report.deferred[key] = str(exc)
                        continue
                    problem = str(exc)
                else:
                    values.update(
                        idempotency_key=idempotency_key(row), gateway_post_id=post["id"],
                        external_id=post.get("external_id"), url=post.get("url"),
                    )  # fmt: skip
                    if post["status"] == "unknown":
                        reason = f"unknown, check {row.platform}: {post.get('error')}"
                        store.record(key, row.asset_id, row.platform, status="Approved",
                                     reason=reason, **values)  # fmt: skip
                        calendar.set_status(row.record_id, "Approved", reason)
                        report.unknown[key] = reason
                        continue
                    if post["status"] in ("queued", "publishing") or (
                        post["status"] == "failed" and post.get("retryable")
                    ):
                        # Still on its way, or the platform was unavailable: the row stays
                        # Approved and the next run asks again with the same key.
                        reason = (
                            f"will retry: {post.get('error')}"
                            if post["status"] == "failed"
                            else f"still {post['status']} at the gateway"
                        )
                        calendar.set_status(row.record_id, "Approved", reason)
                        report.deferred[key] = reason
                        continue
                    if post["status"] != "published":
                        problem = str(post.get("error") or "the platform refused the post")
            if problem is None:
                result = str(values.get("url") or values.get("external_id"))
                store.record(key, row.asset_id, row.platform, status="Published", **values)
                calendar.set_status(row.record_id, "Published", result)
                report.published[key] = result
            else:
                store.record(key, row.asset_id, row.platform, status="Failed", reason=problem,
                             **values)  # fmt: skip
                calendar.set_status(row.record_id, "Failed", problem)
                report.failed[key] = problem
    finally:
        store.close()
    return report
