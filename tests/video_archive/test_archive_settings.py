"""The archive's settings on the one mechanism: VIDEO_ARCHIVE_* variables over the TOML file
over the defaults, and one-line errors that say what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import SettingsError
from samples.video_archive.config import Settings


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "archive.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_environment_over_file_over_defaults(tmp_path: Path) -> None:
    config = _config(tmp_path, 'catalog_dsn = "dbname=file"\nworkers = 3\nsmtp_starttls = true\n')
    settings = Settings.load({"VIDEO_ARCHIVE_CONFIG": str(config), "VIDEO_ARCHIVE_WORKERS": "5"})
    assert settings.workers == 5  # environment over file
    assert settings.catalog_dsn == "dbname=file"  # file over default
    assert settings.smtp_starttls is True
    assert settings.batch_size == 200  # default: set by neither
    assert settings.index_backend == "lancedb"


def test_an_explicit_file_and_overrides(tmp_path: Path) -> None:
    config = _config(tmp_path, 'derivatives_dir = "~/derived"\n')
    settings = Settings.load({}, config_file=config, catalog_dsn="dbname=cli")
    assert settings.catalog_dsn == "dbname=cli"
    assert settings.derivatives_dir == Path.home() / "derived"  # ~ expanded
    with pytest.raises(SettingsError, match="does not exist"):
        Settings.load({}, config_file=tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("environ", "file_text", "message"),
    [
        ({"VIDEO_ARCHIVE_WORKERS": "many"}, None, "VIDEO_ARCHIVE_WORKERS"),
        ({}, "unknown_key = 1\n", "unknown setting 'unknown_key'"),
        ({"VIDEO_ARCHIVE_INDEX_BACKEND": "faiss"}, None, "'lancedb' or 'weaviate'"),
        ({"VIDEO_ARCHIVE_INDEX_BACKEND": "weaviate"}, None, "VIDEO_ARCHIVE_WEAVIATE_URL"),
        ({}, 'index_backend = "weaviate"\n', "VIDEO_ARCHIVE_WEAVIATE_URL"),
        ({"VIDEO_ARCHIVE_DERIVATIVES_DIR": "https://x/y"}, None, "s3://bucket/prefix"),
        ({}, 'lancedb_dir = "s3://b/../up"\n', "VIDEO_ARCHIVE_LANCEDB_DIR"),
        ({"VIDEO_ARCHIVE_FFMPEG_THREADS": "-1"}, None, "VIDEO_ARCHIVE_FFMPEG_THREADS"),
        ({"VIDEO_ARCHIVE_GPU": "always"}, None, "VIDEO_ARCHIVE_GPU"),
    ],
)
def test_bad_settings_name_what_to_fix(
    tmp_path: Path, environ: dict[str, str], file_text: str | None, message: str
) -> None:
    config = _config(tmp_path, file_text or "")
    with pytest.raises(SettingsError, match=message) as caught:
        Settings.load({**environ, "VIDEO_ARCHIVE_CONFIG": str(config)})
    assert "\n" not in str(caught.value)


def test_weaviate_with_a_url_is_accepted(tmp_path: Path) -> None:
    settings = Settings.load(
        {
            "VIDEO_ARCHIVE_CONFIG": str(_config(tmp_path, "")),
            "VIDEO_ARCHIVE_INDEX_BACKEND": "weaviate",
            "VIDEO_ARCHIVE_WEAVIATE_URL": "http://weaviate.internal:8080",
        }
    )
    assert settings.weaviate_url == "http://weaviate.internal:8080"


def test_shared_storage_and_media_settings(tmp_path: Path) -> None:
    settings = Settings.load(
        {
            "VIDEO_ARCHIVE_CONFIG": str(_config(tmp_path, 'lancedb_dir = "s3://shared/index/"\n')),
            "VIDEO_ARCHIVE_DERIVATIVES_DIR": "s3://shared/derivatives",
            "VIDEO_ARCHIVE_FFMPEG_TIMEOUT_FACTOR": "2.5",
            "VIDEO_ARCHIVE_GPU": "off",
        }
    )
    assert settings.derivatives_dir == "s3://shared/derivatives"
    assert settings.lancedb_dir == "s3://shared/index"
    assert settings.ffmpeg_timeout_factor == 2.5 and settings.gpu == "off"
    assert settings.ffmpeg_threads == 1  # one task, one core, unless told otherwise
