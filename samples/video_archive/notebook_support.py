"""What the layer notebooks share: settings from parameters, a readable summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from samples.video_archive.config import Settings


def notebook_settings(
    catalog_dsn: str = "",
    derivatives_dir: str = "",
    lancedb_dir: str = "",
    index_backend: str = "",
) -> Settings:
    """Settings from the environment/config file; non-empty notebook parameters win."""
    overrides: dict[str, Any] = {}
    if catalog_dsn:
        overrides["catalog_dsn"] = catalog_dsn
    if derivatives_dir:
        overrides["derivatives_dir"] = Path(derivatives_dir)
    if lancedb_dir:
        overrides["lancedb_dir"] = Path(lancedb_dir)
    if index_backend:
        overrides["index_backend"] = index_backend
    return Settings.load(**overrides)


def sources_parameter(sources: str | list[str] | None) -> list[str] | None:
    """'a,b' or ['a', 'b'] -> ['a', 'b']; empty -> None (every registered source)."""
    if not sources:
        return None
    if isinstance(sources, str):
        return [s.strip() for s in sources.split(",") if s.strip()] or None
    return list(sources)


def print_summary(result: dict[str, Any]) -> None:
    """The layer's summary as JSON in the notebook output (and so in the Airflow log)."""
    print(json.dumps(result, indent=2, default=str, ensure_ascii=False))
