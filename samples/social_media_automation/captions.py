"""Caption drafts from templates over the asset's metadata and tags, within platform limits.

A template is a ``str.format`` string with ``{title}``, ``{description}``, ``{hashtags}``,
``{tags}``, ``{date}`` and ``{duration}``. A pluggable generator (any callable taking the
same fields and returning text) may replace templates; none is enabled by default.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import PurePosixPath
from typing import Any

from samples.social_media_automation.config import PlatformConfig

CaptionGenerator = Callable[[Mapping[str, str]], str]


class CaptionError(ValueError):
    """The caption cannot be made within the platform's rules; the message says how to fix it."""


def hashtags(tags: list[str], limit: int) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        word = re.sub(r"[^0-9A-Za-z_]", "", tag.title().replace(" ", ""))
        if word and f"#{word}" not in seen:
            seen.append(f"#{word}")
    return seen[:limit]


def caption_fields(asset: Mapping[str, Any], location: str, tag_limit: int) -> dict[str, str]:
    stem = PurePosixPath(location).stem.replace("_", " ").replace("-", " ")
    tags = list(asset.get("tags") or [])
    created = asset.get("creation_time")
    return {
        "title": str(asset.get("title") or stem).strip(),
        "description": str(asset.get("description") or "").strip(),
        "hashtags": " ".join(hashtags(tags, tag_limit)),
        "tags": ", ".join(tags),
        "date": created.date().isoformat() if created else "",
        "duration": f"{float(asset.get('duration_s') or 0):.0f} s",
    }


def draft_caption(
    fields: Mapping[str, str], platform: PlatformConfig, generator: CaptionGenerator | None = None
) -> str:
    """The caption text, or CaptionError when it breaks the platform's limits."""
    try:
        text = generator(fields) if generator else platform.template.format(**fields)
    except (KeyError, IndexError) as exc:
        raise CaptionError(
            f"the {platform.name} caption template uses an unknown field {exc}; "
            "known: " + ", ".join(sorted(fields))
        ) from exc
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if not text:
        raise CaptionError("the caption is empty after templating (no title or description)")
    count = len(re.findall(r"(?<!\w)#\w+", text))
    if count > platform.hashtag_limit:
        raise CaptionError(
            f"the caption has {count} hashtags; {platform.name} allows {platform.hashtag_limit}"
        )
    if len(text) > platform.caption_limit:
        raise CaptionError(
            f"the caption is {len(text)} characters after templating; {platform.name} allows "
            f"{platform.caption_limit}. Shorten the title/description in the archive or the "
            "template, then set the row back to Draft"
        )
    return text
