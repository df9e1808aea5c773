"""The one settings precedence: environment over file over defaults, for every service."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from core.settings import ServiceSettings, SettingsError


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXAMPLE_")

    host: str = "127.0.0.1"
    port: int = 8000
    label: str = "default"
    tags: dict[str, str] = Field(default_factory=dict)


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "example.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_environment_over_file_over_defaults(tmp_path: Path) -> None:
    path = _file(tmp_path, 'port = 9000\nlabel = "from-file"\n[tags]\nteam = "video"\n')
    settings = ExampleSettings.load({"EXAMPLE_CONFIG": str(path), "EXAMPLE_LABEL": "from-env"})
    assert settings.host == "127.0.0.1"  # default: neither file nor environment sets it
    assert settings.port == 9000  # file over default
    assert settings.label == "from-env"  # environment over file
    assert settings.tags == {"team": "video"}


def test_overrides_win_over_everything(tmp_path: Path) -> None:
    path = _file(tmp_path, "port = 9000\n")
    settings = ExampleSettings.load(
        {"EXAMPLE_CONFIG": str(path), "EXAMPLE_PORT": "9100"}, port=9200
    )
    assert settings.port == 9200


def test_default_config_file_is_read_only_when_present(tmp_path: Path) -> None:
    class WithDefault(ExampleSettings):
        default_config_file = tmp_path / "absent.toml"

    assert WithDefault.load({}).port == 8000
    (tmp_path / "absent.toml").write_text("port = 9300\n", encoding="utf-8")
    assert WithDefault.load({}).port == 9300


@pytest.mark.parametrize(
    ("environ", "file_text", "message"),
    [
        ({"EXAMPLE_PORT": "eighty"}, None, "EXAMPLE_PORT"),
        ({}, "port = 'x'\n", "EXAMPLE_PORT (or port in"),
        ({}, "colour = 'red'\n", "unknown setting 'colour'"),
        ({}, "port = \n", "example.toml"),
    ],
)
def test_bad_values_name_what_to_fix(
    tmp_path: Path, environ: dict[str, str], file_text: str | None, message: str
) -> None:
    if file_text is not None:
        environ = {**environ, "EXAMPLE_CONFIG": str(_file(tmp_path, file_text))}
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")):
        ExampleSettings.load(environ)


def test_a_named_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"EXAMPLE_CONFIG names .*missing\.toml"):
        ExampleSettings.load({"EXAMPLE_CONFIG": str(tmp_path / "missing.toml")})


def test_an_empty_variable_counts_as_unset_where_the_class_says_so(tmp_path: Path) -> None:
    class IgnoresEmpty(ExampleSettings):
        model_config = SettingsConfigDict(env_prefix="EXAMPLE_", env_ignore_empty=True)

    path = _file(tmp_path, 'label = "from-file"\n')
    environ = {"EXAMPLE_CONFIG": str(path), "EXAMPLE_LABEL": ""}
    assert IgnoresEmpty.load(environ).label == "from-file"
    assert ExampleSettings.load(environ).label == ""
