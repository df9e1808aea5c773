"""What the layer notebooks share: settings from parameters, parameter parsing, a readable
summary. The notebooks stay three cells (parameters, one pipeline call, the summary)."""

from __future__ import annotations

import json
from collections.abc import Sequence
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
    # Paths or s3://bucket/prefix URIs: the settings class tells them apart.
    if derivatives_dir:
        overrides["derivatives_dir"] = derivatives_dir
    if lancedb_dir:
        overrides["lancedb_dir"] = lancedb_dir
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


def asset_ids_parameter(asset_ids: str | Sequence[int | str] | None) -> list[int] | None:
    """The silver batch: a list (as Airflow's mapped task passes it), a JSON list
    (``"[1, 2]"``) or a comma string (``"1,2"``) -> [1, 2]; empty -> None (every pending
    asset). A value that is not a list of whole numbers raises ValueError naming it."""
    if asset_ids is None or (isinstance(asset_ids, str) and not asset_ids.strip()):
        return None
    if isinstance(asset_ids, str):
        text = asset_ids.strip()
        items: Any = json.loads(text) if text.startswith("[") else text.split(",")
    else:
        items = asset_ids
    try:
        ids = [int(str(item).strip()) for item in items if str(item).strip()]
    except (TypeError, ValueError):
        raise ValueError(f"asset_ids must be a list of asset ids, got {asset_ids!r}") from None
    return ids


def print_summary(result: dict[str, Any]) -> None:
    """The layer's summary as JSON in the notebook output (and so in the Airflow log)."""
    print(json.dumps(result, indent=2, default=str, ensure_ascii=False))
