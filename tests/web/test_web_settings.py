"""The web service's settings: VIDEO_ARCHIVE_WEB_* variables over the file named by
VIDEO_ARCHIVE_WEB_CONFIG over the defaults; no start without a secret and someone to log
in; users and API keys from ``name:role:secret;...`` lists or [users]/[api_keys] tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import SettingsError
from samples.video_archive.web.settings import WebSettings

SECRET = "s" * 40
HASH = "scrypt$1$1$1$00$00"


def _config(tmp_path: Path, text: str, name: str = "web.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_environment_over_file_over_defaults(tmp_path: Path) -> None:
    archive = tmp_path / "archive.toml"
    archive.write_text('catalog_dsn = "dbname=from-archive-file"\n', encoding="utf-8")
    config = _config(
        tmp_path,
        f'session_secret = "{"f" * 40}"\nbind_port = 9000\npage_size = 12\n'
        f'[users.alice]\npassword_hash = "{HASH}"\nrole = "editor"\n'
        '[api_keys.prom]\nkey_sha256 = "' + "0" * 64 + '"\n',
    )
    settings = WebSettings.load(
        {
            "VIDEO_ARCHIVE_WEB_CONFIG": str(config),
            "VIDEO_ARCHIVE_CONFIG": str(archive),
            "VIDEO_ARCHIVE_WEB_SESSION_SECRET": SECRET,
            "VIDEO_ARCHIVE_WEB_PAGE_SIZE": "48",
            "VIDEO_ARCHIVE_WORKERS": "3",
        }
    )
    assert settings.session_secret == SECRET  # environment over file
    assert settings.page_size == 48
    assert settings.bind_port == 9000  # file over default
    assert settings.bind_host == "127.0.0.1"  # default: never all interfaces
    assert settings.users["alice"].can_edit
    assert settings.api_keys["prom"].role == "viewer"  # the role a table leaves out
    # The archive's own settings come along, from their own variables and file.
    assert settings.archive.catalog_dsn == "dbname=from-archive-file"
    assert settings.archive.workers == 3


def test_users_and_keys_from_the_environment_lists(tmp_path: Path) -> None:
    settings = WebSettings.load(
        {
            "VIDEO_ARCHIVE_CONFIG": str(_config(tmp_path, "", "archive.toml")),
            "VIDEO_ARCHIVE_WEB_SESSION_SECRET": SECRET,
            "VIDEO_ARCHIVE_WEB_USERS": f"alice:editor:{HASH}; bob:viewer:{HASH}",
            "VIDEO_ARCHIVE_WEB_API_KEYS": "prom:viewer:" + "0" * 64,
            "VIDEO_ARCHIVE_WEB_SECURE_COOKIES": "1",
        }
    )
    assert settings.users["alice"].can_edit
    assert not settings.users["bob"].can_edit
    assert not settings.api_keys["prom"].can_edit
    assert settings.users["alice"].secret == HASH  # everything after the second colon
    assert settings.secure_cookies is True


@pytest.mark.parametrize(
    ("environ", "file_text", "message"),
    [
        ({"VIDEO_ARCHIVE_WEB_USERS": f"a:editor:{HASH}"}, None, "SESSION_SECRET"),
        ({"VIDEO_ARCHIVE_WEB_SESSION_SECRET": "short"}, None, "at least 32"),
        ({"VIDEO_ARCHIVE_WEB_SESSION_SECRET": SECRET}, None, "no users and no API keys"),
        (
            {"VIDEO_ARCHIVE_WEB_SESSION_SECRET": SECRET, "VIDEO_ARCHIVE_WEB_USERS": "a:admin:h"},
            None,
            "VIDEO_ARCHIVE_WEB_USERS.*name:role:secret",
        ),
        (
            {"VIDEO_ARCHIVE_WEB_SESSION_SECRET": SECRET},
            '[users.alice]\nrole = "editor"\n',
            "user 'alice' needs a password_hash",
        ),
        (
            {"VIDEO_ARCHIVE_WEB_SESSION_SECRET": SECRET},
            '[api_keys.ci]\nkey_sha256 = "ab"\nrole = "root"\n',
            "API key 'ci': role must be one of viewer, editor",
        ),
        (
            {
                "VIDEO_ARCHIVE_WEB_SESSION_SECRET": SECRET,
                "VIDEO_ARCHIVE_WEB_USERS": f"a:editor:{HASH}",
            },
            "colour = 'red'\n",
            "unknown setting 'colour'",
        ),
    ],
)
def test_refuses_to_start_insecurely_or_with_bad_entries(
    tmp_path: Path, environ: dict[str, str], file_text: str | None, message: str
) -> None:
    environ = {**environ, "VIDEO_ARCHIVE_CONFIG": str(_config(tmp_path, "", "archive.toml"))}
    if file_text is not None:
        environ["VIDEO_ARCHIVE_WEB_CONFIG"] = str(_config(tmp_path, file_text))
    with pytest.raises(SettingsError, match=message) as caught:
        WebSettings.load(environ)
    assert "\n" not in str(caught.value)
