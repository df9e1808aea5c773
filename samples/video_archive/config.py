"""The archive's settings: one pydantic-settings class on the project's one mechanism.

Precedence, highest first: ``VIDEO_ARCHIVE_<KEY>`` variables, then a TOML file (the one
``VIDEO_ARCHIVE_CONFIG`` names, else ``~/.config/video-archive/config.toml`` when it
exists), then the defaults below. Example file::

    catalog_dsn = "host=db.internal dbname=archive user=archive"
    derivatives_dir = "/srv/archive/derivatives"   # or "s3://derivatives-bucket/archive"
    index_backend = "lancedb"          # or "weaviate"
    lancedb_dir = "/srv/archive/index"             # or "s3://derivatives-bucket/index"
    weaviate_url = "https://weaviate.cdaprod.dev"
    smtp_host = "smtp.internal"
    smtp_to = "archive-team@cdaprod.dev"

Secrets (``weaviate_api_key``, ``smtp_password``) are best given as environment variables.
Bad values stop at load time with a ``core.settings.SettingsError`` naming what to fix.

Shared storage: on the workers every silver task writes derivatives and the gold task writes
the index where the web service reads them. ``derivatives_dir`` and ``lancedb_dir`` are a
plain path (a shared volume) or ``s3://bucket/prefix`` (credentials, region and
``AWS_ENDPOINT_URL``/``AWS_ENDPOINT_URL_S3`` come from the standard AWS environment).

Bounded media work (silver and bronze): every ffmpeg call may take
``ffmpeg_timeout_base_s + ffmpeg_timeout_factor x duration`` seconds, at most
``ffmpeg_timeout_max_s`` (also the bound when the duration is unknown); ffprobe may take
``ffprobe_timeout_s``. A file that exceeds it is quarantined ("decode exceeded N s").
``ffmpeg_threads`` pins ffmpeg's decoder, filter and encoder threads (default 1: one task,
one core, so that per-task times compare fairly and N tasks share N cores without
oversubscription; 0 lets ffmpeg choose). ``gpu = "auto"`` decodes with NVDEC and encodes
with NVENC where the card and ffmpeg can (detected at run time), ``"off"`` stays on the CPU.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import SettingsConfigDict

from core.settings import ServiceSettings
from samples.video_archive.storage import StorageLocationError, storage_location

ENV_PREFIX = "VIDEO_ARCHIVE_"
_STATE = Path.home() / ".local/state/video-archive"


class Settings(ServiceSettings):
    """What the pipeline, the CLI, the notebooks and the web service share."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX)
    default_config_file: ClassVar[Path | None] = Path("~/.config/video-archive/config.toml")

    catalog_dsn: str = "dbname=video_archive"
    # A directory, or s3://bucket/prefix (see storage.py).
    derivatives_dir: Path | str = _STATE / "derivatives"
    index_backend: Literal["lancedb", "weaviate"] = "lancedb"
    lancedb_dir: Path | str = _STATE / "index"
    # Checked even when unset: the weaviate backend cannot work without it.
    weaviate_url: str = Field(default="", validate_default=True)
    weaviate_api_key: str = ""
    weaviate_collection: str = "VideoAsset"
    workers: int = 0  # 0 = one per CPU
    batch_size: int = 200
    purge_grace_days: int = 30
    # Rows from which the gold run keeps the semantic graph that answers unfiltered vector
    # searches. From the first row by default: while the table is smaller than the graph's
    # search beam (800) its answers are exact, and keeping it costs milliseconds, so small
    # and large archives take one path. (LanceDB's own vector index, for filtered searches,
    # still waits for ANN_MIN_ROWS: it needs rows to train on.)
    graph_min_rows: int = Field(default=1, ge=1)
    full_hash: bool = False  # also hash whole files (reads every byte once)
    # Where ffmpeg writes before a derivative is stored (default: the system temp dir).
    scratch_dir: Path | None = None
    ffmpeg_threads: int = Field(default=1, ge=0)
    # Measured on the 2-core build VM: a 720p proxy of 1080p30 H.264 takes ~0.8 s per
    # second of video on one thread; 4K HEVC several times that. 8x leaves room for both.
    ffmpeg_timeout_base_s: float = Field(default=120.0, gt=0)
    ffmpeg_timeout_factor: float = Field(default=8.0, ge=0)
    ffmpeg_timeout_max_s: float = Field(default=12 * 3600.0, gt=0)
    ffprobe_timeout_s: float = Field(default=60.0, gt=0)
    gpu: Literal["auto", "off"] = "auto"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_from: str = "video-archive@localhost"
    smtp_to: str = ""

    @field_validator("derivatives_dir", "lancedb_dir", mode="before")
    @classmethod
    def _path_or_s3(cls, value: object) -> Path | str:
        try:
            return storage_location(value)
        except StorageLocationError as exc:
            raise PydanticCustomError("storage_location", str(exc).replace("{", "{{")) from None

    @field_validator("scratch_dir", mode="after")
    @classmethod
    def _expand_home(cls, path: Path | None) -> Path | None:
        return path.expanduser() if path is not None else None

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
