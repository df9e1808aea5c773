"""Question filters as people and DAG parameters give them (a mapping of names to values),
checked into the search path's Filters with one clear error per mistake."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from samples.video_archive.search import Filters

# Parameter name -> how its value is read.
_READERS: dict[str, Any] = {
    "source": str,
    "video_codec": str,
    "date_from": date.fromisoformat,
    "date_to": date.fromisoformat,
    "min_duration_s": float,
    "max_duration_s": float,
    "min_height": int,
    "max_height": int,
}
NAMES: tuple[str, ...] = (*_READERS, "tags")


class FilterError(ValueError):
    """A filter is unknown or its value cannot be read; the message names it."""


def parse_filters(raw: Mapping[str, Any] | str | None) -> Filters:
    """``{"source": "nas", "date_from": "2026-01-01", "tags": ["harbour"]}`` (or the same as
    a JSON string) -> Filters. Empty values mean no restriction."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Filters()
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise FilterError(f"filters must be a JSON object: {exc}") from None
    if not isinstance(raw, Mapping):
        raise FilterError(f"filters must be an object of name: value, got {raw!r}")
    unknown = sorted(set(raw) - set(NAMES))
    if unknown:
        raise FilterError(f"unknown filter {unknown[0]!r}; use any of {', '.join(NAMES)}")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if value is None or value == "" or value == []:
            continue
        if name == "tags":
            tags = [value] if isinstance(value, str) else value
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                raise FilterError(f"filter 'tags' must be a list of words, got {value!r}")
            values["tags"] = tuple(t.strip() for t in tags if t.strip())
            continue
        try:
            values[name] = _READERS[name](value)
        except (TypeError, ValueError):
            raise FilterError(f"filter {name!r} cannot be {value!r}") from None
    return Filters(**values)
