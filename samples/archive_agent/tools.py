"""The agent's tools: what one task may do, each a plain function over the archive.

* ``search_archive``: the archive's passages for a query (samples/archive_qa), one entry per
  video, best first, with the time range of its best passage;
* ``describe_asset``: what the catalogue says about one video;
* ``find_scenes``: its scene cuts, and the subtitle window that best matches a query;
* ``cut_clip``: a clip of one video between two times, rendered by the social pipeline's
  renderer into the derivatives directory (``agent/<asset>/``); originals are only read;
* ``draft_post``: a Draft row in the content calendar, linked to a clip. Drafts only: the
  row's status is always Draft, and nothing here can publish. A person approves it in the
  calendar; the social pipeline publishes approved rows.

A tool that cannot do its job raises ToolError with a sentence for the run's record; every
other exception is a bug and is recorded as such by the agent.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from integrations.airtable.client import ContentCalendar, Draft
from samples.archive_qa.passages import retrieve
from samples.social_media_automation.captions import CaptionError, caption_fields, draft_caption
from samples.social_media_automation.config import SocialSettings
from samples.social_media_automation.profiles import PROFILES
from samples.social_media_automation.render import ClipPlan, RenderError, render_clip
from samples.social_media_automation.selection import candidates
from samples.video_archive.catalog import Catalog
from samples.video_archive.search import Filters, SemanticBackend

# The tools' arguments as JSON schemas: what an endpoint planner's reply is held to.
_TEXT = {"type": "string", "maxLength": 100, "description": "words"}
_COUNT = {"type": "integer", "minimum": 1, "maximum": 20, "description": "how many videos"}
_ASSET = {"type": "integer", "description": "an asset id from search_archive"}
_SECONDS = {"type": "number", "minimum": 0, "description": "seconds from the start"}
_CLIP = {"type": "string", "description": "the clip path cut_clip returned"}
# A clip is at least this long where the video allows (a cited cue may last a second).
MIN_CLIP_S = 3.0


class ToolError(RuntimeError):
    """The tool could not do its job; the message is recorded in the run."""


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    arguments: dict[str, dict[str, Any]]  # name -> its JSON schema, for a planner
    run: Callable[..., dict[str, Any]]


@dataclass
class ToolContext:
    """What the tools work on: the catalogue (read only), the search backend, the social
    pipeline's settings (derivatives directory, platforms) and the content calendar."""

    catalog: Catalog
    backend: SemanticBackend
    social: SocialSettings
    calendar: ContentCalendar
    filters: Filters = field(default_factory=Filters)
    platform: str = "mastodon"
    draft_key_prefix: str = "agent"


def agent_draft_key(prefix: str, asset_id: int, platform: str) -> str:
    """One calendar row per (agent, asset, platform): a re-run adds no second row."""
    return f"{prefix}:asset-{asset_id}:{platform}"


class ArchiveTools:
    """The tool set over one ToolContext, by name."""

    def __init__(self, context: ToolContext) -> None:
        self.context = context
        self.by_name: dict[str, Tool] = {
            tool.name: tool
            for tool in (
                Tool(
                    "search_archive",
                    "find videos about a query; best first, with the time of the best passage",
                    {"query": _TEXT, "limit": _COUNT},
                    self.search_archive,
                ),
                Tool(
                    "describe_asset",
                    "what the catalogue says about one video",
                    {"asset_id": _ASSET},
                    self.describe_asset,
                ),
                Tool(
                    "find_scenes",
                    "a video's scene cuts and the subtitle window matching a query",
                    {"asset_id": _ASSET, "query": _TEXT},
                    self.find_scenes,
                ),
                Tool(
                    "cut_clip",
                    "cut a clip of a video between two times (seconds)",
                    {"asset_id": _ASSET, "start_s": _SECONDS, "end_s": _SECONDS},
                    self.cut_clip,
                ),
                Tool(
                    "draft_post",
                    "draft a social post for a clip into the content calendar (Draft only)",
                    {"asset_id": _ASSET, "clip": _CLIP},
                    self.draft_post,
                ),
            )
        }

    @property
    def conn(self) -> psycopg.Connection:
        return self.context.catalog.conn

    def _asset(self, asset_id: Any) -> dict[str, Any]:
        try:
            number = int(asset_id)
        except (TypeError, ValueError):
            raise ToolError(f"asset_id must be a number, got {asset_id!r}") from None
        row = self.conn.execute(
            "SELECT * FROM assets WHERE id = %s AND status = 'probed'", (number,)
        ).fetchone()
        if row is None:
            raise ToolError(f"asset {number} is not in the catalogue (or was quarantined)")
        return dict(row)

    def search_archive(self, query: str, limit: int = 5) -> dict[str, Any]:
        if not str(query).strip():
            raise ToolError("search_archive needs a query")
        limit = max(1, min(int(limit), 20))
        passages = retrieve(self.conn, self.context.backend, str(query), self.context.filters, k=50)
        videos: list[dict[str, Any]] = []
        for passage in passages:
            if any(v["asset_id"] == passage.asset_id for v in videos):
                continue
            videos.append(
                {
                    "asset_id": passage.asset_id,
                    "title": passage.title,
                    "location": passage.location,
                    "start_s": passage.start_s,
                    "end_s": passage.end_s,
                    "passage": passage.text,
                    "score": round(passage.score, 3),
                }
            )
            if len(videos) == limit:
                break
        return {"summary": f"{len(videos)} videos about {query!r}", "videos": videos}

    def describe_asset(self, asset_id: Any) -> dict[str, Any]:
        asset = self._asset(asset_id)
        keep = ("id", "title", "description", "tags", "duration_s", "width", "height")
        described = {k: asset.get(k) for k in keep}
        return {"summary": f"asset {asset['id']}: {asset.get('title') or 'untitled'}", **described}

    def find_scenes(self, asset_id: Any, query: str = "") -> dict[str, Any]:
        asset = self._asset(asset_id)
        duration = float(asset.get("duration_s") or 0)
        cuts = [0.0, *sorted(float(c) for c in asset.get("scene_cuts_s") or []), duration]
        scenes = [(a, b) for a, b in itertools.pairwise(cuts) if b > a]
        best = None
        if str(query).strip():
            own = retrieve(self.conn, self.context.backend, str(query), self.context.filters, k=50)
            best = next((p for p in own if p.asset_id == asset["id"]), None)
        span = (best.start_s, best.end_s or duration) if best else (0.0, duration)
        return {
            "summary": f"asset {asset['id']}: {len(scenes)} scenes; "
            f"best at {span[0]:g}-{span[1]:g} s",
            "scenes": scenes,
            "start_s": span[0],
            "end_s": span[1],
        }

    def cut_clip(self, asset_id: Any, start_s: Any, end_s: Any) -> dict[str, Any]:
        asset = self._asset(asset_id)
        duration = float(asset.get("duration_s") or 0)
        try:
            start, end = float(start_s), float(end_s)
        except (TypeError, ValueError):
            raise ToolError(
                f"start_s and end_s must be seconds, got {start_s!r}, {end_s!r}"
            ) from None
        if not 0 <= start < end:
            raise ToolError(f"the clip must start before it ends, got {start:g}-{end:g} s")
        if start >= duration:
            raise ToolError(
                f"asset {asset['id']} is {duration:g} s long; {start:g} s is past its end"
            )
        # Widen a short span around its middle, within the video.
        if end - start < MIN_CLIP_S:
            middle = (start + end) / 2
            start = max(0.0, middle - MIN_CLIP_S / 2)
            end = start + MIN_CLIP_S
        end = min(end, duration)
        found = candidates(self.context.catalog, [asset])
        if not found:
            raise ToolError(f"asset {asset['id']} has no file present to cut from")
        platform = self.context.social.platforms[self.context.platform]
        plan = ClipPlan(
            source=found[0].location,
            start_s=round(start, 3),
            duration_s=round(end - start, 3),
            profile=PROFILES[platform.profile],
            has_audio=bool(asset.get("audio_codec")),
        )
        out_dir = self.context.social.derivatives_dir / "agent" / str(asset["id"])
        name = f"clip-{start:.1f}-{end:.1f}"
        try:
            clip = render_clip(
                plan,
                out_dir,
                name,
                target_lufs=self.context.social.loudness_lufs,
                true_peak=self.context.social.true_peak_db,
            )
        except RenderError as exc:
            raise ToolError(str(exc)) from None
        return {
            "summary": f"cut {clip.path.name} from asset {asset['id']} ({start:g}-{end:g} s)",
            "asset_id": asset["id"],
            "clip": str(clip.path),
            "cover": str(clip.cover),
            "start_s": start,
            "end_s": end,
        }

    def draft_post(self, asset_id: Any, clip: str) -> dict[str, Any]:
        asset = self._asset(asset_id)
        clips = self.context.social.derivatives_dir.resolve() / "agent"
        path = Path(str(clip or "")).resolve()
        if not str(clip or "") or not path.is_relative_to(clips) or not path.is_file():
            raise ToolError(f"{clip} is not a clip cut by this agent")
        platform = self.context.social.platforms[self.context.platform]
        found = candidates(self.context.catalog, [asset])
        rel_path = found[0].rel_path if found else ""
        try:
            caption = draft_caption(
                caption_fields(asset, rel_path, platform.hashtag_limit), platform
            )
        except CaptionError as exc:
            raise ToolError(str(exc)) from None
        key = agent_draft_key(self.context.draft_key_prefix, asset["id"], platform.name)
        slot = datetime.now(UTC) + timedelta(days=1)
        cover = path.with_suffix(".jpg")
        created = self.context.calendar.add_drafts(
            [
                Draft(
                    key,
                    asset["id"],
                    platform.name,
                    str(path),
                    caption,
                    slot,
                    cover=str(cover) if cover.is_file() else "",
                    status="Draft",
                )
            ]
        )
        state = "drafted" if created else "already in the calendar"
        return {"summary": f"{key}: {state}", "draft_key": key, "new": bool(created)}
