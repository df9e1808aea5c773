"""Settings: a TOML file overlaid by environment variables.

The file is ``$VIDEO_ARCHIVE_CONFIG`` or ``~/.config/video-archive/config.toml`` (optional);
every key can be overridden by ``VIDEO_ARCHIVE_<KEY>`` (upper case). Example file::

    catalog_dsn = "host=db.internal dbname=archive user=archive"
    derivatives_dir = "/srv/archive/derivatives"
    index_backend = "lancedb"          # or "weaviate"
    lancedb_dir = "/srv/archive/index"
    weaviate_url = "https://weaviate.cdaprod.dev"
    smtp_host = "smtp.internal"
    smtp_to = "archive-team@cdaprod.dev"

Secrets (``weaviate_api_key``, ``smtp_password``) are best given as environment variables.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "VIDEO_ARCHIVE_"
DEFAULT_CONFIG = Path("~/.config/video-archive/config.toml")
_STATE = Path.home() / ".local/state/video-archive"


class ConfigError(ValueError):
    """A setting is missing or has a value that cannot work."""


@dataclass(frozen=True)
class Settings:
    catalog_dsn: str = "dbname=video_archive"
    derivatives_dir: Path = _STATE / "derivatives"
    index_backend: str = "lancedb"
    lancedb_dir: Path = _STATE / "index"
    weaviate_url: str = ""
    weaviate_api_key: str = ""
    weaviate_collection: str = "VideoAsset"
    workers: int = 0  # 0 = one per CPU
    batch_size: int = 200
    purge_grace_days: int = 30
    full_hash: bool = False  # also hash whole files (reads every byte once)
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_from: str = "video-archive@localhost"
    smtp_to: str = ""

    @property
    def effective_workers(self) -> int:
        return self.workers or os.cpu_count() or 2

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host and self.smtp_to)


def _coerce(name: str, raw: Any, target: Any) -> Any:
    try:
        if target is bool or isinstance(target, bool):
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in {"1", "true", "yes", "on"}:
                return True
            if str(raw).lower() in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        if isinstance(target, int):
            return int(raw)
        if isinstance(target, Path):
            return Path(str(raw)).expanduser()
        return str(raw)
    except ValueError as exc:
        raise ConfigError(
            f"setting {name}: cannot use {raw!r} ({type(target).__name__} expected)"
        ) from exc


def load_settings(config_file: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Defaults, then the config file, then ``VIDEO_ARCHIVE_*`` variables."""
    env = dict(os.environ if env is None else env)
    path = config_file or Path(env.get(f"{ENV_PREFIX}CONFIG", str(DEFAULT_CONFIG))).expanduser()
    values: dict[str, Any] = {}
    if path.exists():
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    elif config_file is not None:
        raise ConfigError(f"config file {path} does not exist")
    defaults = Settings()
    known = {f.name for f in fields(Settings)}
    unknown = set(values) - known
    if unknown:
        raise ConfigError(f"{path}: unknown settings {', '.join(sorted(unknown))}")
    for name in known:
        if f"{ENV_PREFIX}{name.upper()}" in env:
            values[name] = env[f"{ENV_PREFIX}{name.upper()}"]
    coerced = {k: _coerce(k, v, getattr(defaults, k)) for k, v in values.items()}
    settings = Settings(
        **{**{f.name: getattr(defaults, f.name) for f in fields(Settings)}, **coerced}
    )
    if settings.index_backend not in {"lancedb", "weaviate"}:
        raise ConfigError(
            f"index_backend must be 'lancedb' or 'weaviate', not {settings.index_backend!r}"
        )
    if settings.index_backend == "weaviate" and not settings.weaviate_url:
        raise ConfigError("index_backend is 'weaviate' but VIDEO_ARCHIVE_WEAVIATE_URL is not set")
    return settings
