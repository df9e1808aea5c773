"""The archive's settings: one pydantic-settings class on the project's one mechanism.

Precedence, highest first: ``VIDEO_ARCHIVE_<KEY>`` variables, then a TOML file (the one
``VIDEO_ARCHIVE_CONFIG`` names, else ``~/.config/video-archive/config.toml`` when it
exists), then the defaults below. Example file::

    catalog_dsn = "host=db.internal dbname=archive user=archive"
    derivatives_dir = "/srv/archive/derivatives"
    index_backend = "lancedb"          # or "weaviate"
    lancedb_dir = "/srv/archive/index"
    weaviate_url = "https://weaviate.cdaprod.dev"
    smtp_host = "smtp.internal"
    smtp_to = "archive-team@cdaprod.dev"

Secrets (``weaviate_api_key``, ``smtp_password``) are best given as environment variables.
Bad values stop at load time with a ``core.settings.SettingsError`` naming what to fix.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import SettingsConfigDict

from core.settings import ServiceSettings

ENV_PREFIX = "VIDEO_ARCHIVE_"
_STATE = Path.home() / ".local/state/video-archive"


class Settings(ServiceSettings):
    """What the pipeline, the CLI, the notebooks and the web service share."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX)
    default_config_file: ClassVar[Path | None] = Path("~/.config/video-archive/config.toml")

    catalog_dsn: str = "dbname=video_archive"
    derivatives_dir: Path = _STATE / "derivatives"
    index_backend: Literal["lancedb", "weaviate"] = "lancedb"
    lancedb_dir: Path = _STATE / "index"
    # Checked even when unset: the weaviate backend cannot work without it.
    weaviate_url: str = Field(default="", validate_default=True)
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

    @field_validator("derivatives_dir", "lancedb_dir", mode="after")
    @classmethod
    def _expand_home(cls, path: Path) -> Path:
        return path.expanduser()

    @field_validator("weaviate_url", mode="after")
    @classmethod
    def _url_for_weaviate(cls, url: str, info: ValidationInfo) -> str:
        if info.data.get("index_backend") == "weaviate" and not url:
            raise PydanticCustomError(
                "weaviate_url_missing",
                "index_backend is 'weaviate' but no Weaviate URL is set "
                "(e.g. https://weaviate.internal:8080)",
            )
        return url

    @property
    def effective_workers(self) -> int:
        return self.workers or os.cpu_count() or 2

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host and self.smtp_to)
