"""The pipeline's settings (samples/social_media_automation/config.py) on the project's one
mechanism: the environment over the SOCIAL_CONFIG file over the defaults, the file's platform
tables over the default platforms, and one line naming what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import SettingsError
from samples.social_media_automation.config import (
    DEFAULT_PLATFORMS,
    SocialSettings,
    load_social_settings,
)

REQUIRED = {"SOCIAL_CATALOG_DSN": "host=db", "SOCIAL_DERIVATIVES_DIR": "/srv/env-clips"}


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "social.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_environment_over_file_over_defaults(tmp_path: Path) -> None:
    config = _file(
        tmp_path,
        'catalog_dsn = "host=file"\nderivatives_dir = "/srv/file-clips"\n'
        'gateway_url = "http://file:8710"\nlogo = "/srv/file-logo.png"\nloudness_lufs = -14.0\n',
    )
    from_file = SocialSettings.load({"SOCIAL_CONFIG": str(config)})
    assert from_file.catalog_dsn == "host=file"
    assert from_file.derivatives_dir == Path("/srv/file-clips")
    assert from_file.gateway_url == "http://file:8710"
    assert from_file.logo == Path("/srv/file-logo.png")
    assert from_file.loudness_lufs == -14.0
    assert from_file.true_peak_db == -1.5  # default: neither file nor environment
    from_env = load_social_settings(
        {
            **REQUIRED,
            "SOCIAL_CONFIG": str(config),
            "SOCIAL_GATEWAY_URL": "http://env:8710",
            "SOCIAL_GATEWAY_API_KEY": "key-from-env",
            "SOCIAL_LOGO": "/srv/env-logo.png",
        }
    )
    assert from_env.catalog_dsn == "host=db"
    assert from_env.derivatives_dir == Path("/srv/env-clips")
    assert from_env.gateway_url == "http://env:8710"
    assert from_env.logo == Path("/srv/env-logo.png")
    assert from_env.loudness_lufs == -14.0
    assert "key-from-env" not in repr(from_env)
    assert load_social_settings({**REQUIRED, "SOCIAL_LOGO": ""}).logo is None


def test_platform_tables_adjust_and_extend_the_defaults(tmp_path: Path) -> None:
    config = _file(
        tmp_path,
        '[platforms.mastodon]\ncaption_limit = 400\n\n[platforms.feed]\nprofile = "square"\n'
        "clip_s = 10\n",
    )
    settings = SocialSettings.load({**REQUIRED, "SOCIAL_CONFIG": str(config)})
    assert set(settings.platforms) == {*DEFAULT_PLATFORMS, "feed"}
    mastodon = settings.platforms["mastodon"]
    assert (mastodon.caption_limit, mastodon.hashtag_limit) == (400, 4)  # the rest: defaults
    feed = settings.platforms["feed"]
    assert (feed.name, feed.profile, feed.clip_s, feed.caption_limit) == ("feed", "square", 10, 500)
    assert SocialSettings.load(REQUIRED).platforms == DEFAULT_PLATFORMS


@pytest.mark.parametrize(
    ("environ", "file_text", "message"),
    [
        ({"SOCIAL_DERIVATIVES_DIR": "/x"}, None, "SOCIAL_CATALOG_DSN: set it to the archive"),
        ({"SOCIAL_CATALOG_DSN": "host=db"}, None, "SOCIAL_DERIVATIVES_DIR: set it to a directory"),
        (REQUIRED, "[platforms.feed]\nprofile = 'portrait'\n", "must be one of vertical"),
        (REQUIRED, "[platforms.shorts]\nclip_s = 90\n", "exceeds the vertical profile's 60.0 s"),
        (REQUIRED, "[platforms.feed]\ncolour = 'red'\n", "unknown setting 'platforms.feed.colour'"),
        (REQUIRED, "derivatives = '/x'\n", "unknown setting 'derivatives'"),
    ],
)
def test_bad_settings_name_what_to_fix(
    tmp_path: Path, environ: dict[str, str], file_text: str | None, message: str
) -> None:
    if file_text is not None:
        environ = {**environ, "SOCIAL_CONFIG": str(_file(tmp_path, file_text))}
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")) as raised:
        SocialSettings.load(environ)
    assert "\n" not in str(raised.value)
