"""The gateway's settings: one pydantic-settings class on the project's mechanism
(core.settings: the environment over the TOML file over the defaults).

``SOCIAL_GATEWAY_DSN`` (PostgreSQL), ``SOCIAL_GATEWAY_API_KEYS`` (``name:sha256`` entries
separated by ``;``, the SHA-256 of each key) and ``SOCIAL_GATEWAY_CONFIG`` naming a TOML file::

    bind_host = "10.0.0.5"                   # or SOCIAL_GATEWAY_BIND_HOST; the same for
    bind_port = 8710                         # every top-level key
    media_root = "/srv/social/derivatives"   # media paths in requests must lie under it
    worker_concurrency = 2                   # delivery threads in this process (0: none)
    worker_poll_s = 2.0                      # how often an idle worker looks for posts

    [platforms.team-webhook]
    kind = "webhook"                         # webhook | discord | mastodon
    url = "https://hooks.example/social"
    secret = "..."                           # or SOCIAL_GATEWAY_SECRET_TEAM_WEBHOOK
    per_minute = 30

    [platforms.mastodon]
    kind = "mastodon"
    url = "https://mastodon.example"
    secret = "..."                           # the access token

    [platforms.discord]
    kind = "discord"
    url = "https://discord.com/api/webhooks/<id>"  # the webhook's URL without its token,
    secret = "<token>"                             # the last part of that URL

There is no default key and no default secret: the service refuses to start without them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from core.settings import ServiceSettings

ENV_PREFIX = "SOCIAL_GATEWAY_"
SECRET_PREFIX = f"{ENV_PREFIX}SECRET_"
NEW_KEY_COMMAND = "python -m services.social_gateway new-api-key"
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
# The key under which PlatformSecretsSource hands the secret variables to the settings.
_SECRETS_KEY = "__platform_secrets__"


def secret_variable(platform: str) -> str:
    """The environment variable holding a platform's secret: SOCIAL_GATEWAY_SECRET_<NAME>."""
    return SECRET_PREFIX + re.sub(r"[^A-Z0-9]", "_", platform.upper())


class PlatformSettings(BaseModel):
    """One platform the gateway publishes to (a ``[platforms.<name>]`` table)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: Literal["webhook", "discord", "mastodon"]
    url: str
    # The webhook's HMAC secret, Mastodon's access token, or a Discord webhook's token (the
    # last part of the URL Discord gives; url is the rest).
    secret: str = Field(default="", repr=False)
    per_minute: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=4, ge=1)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise PydanticCustomError(
                "http_url", "must be an http(s) URL, got {url}", {"url": repr(url)}
            )
        return url

    @model_validator(mode="after")
    def _secret_given(self) -> PlatformSettings:
        if not self.secret:
            what = (
                "the webhook's token, the last part of its URL"
                if self.kind == "discord"
                else "its secret"
            )
            raise PydanticCustomError(
                "secret_missing",
                "platform {name} needs {what}: set {variable} (or secret in the file)",
                {"name": repr(self.name), "what": what, "variable": secret_variable(self.name)},
            )
        return self

    @property
    def endpoint(self) -> str:
        """Where posts go: for Discord the URL with its token, which no file holds."""
        if self.kind == "discord":
            return f"{self.url.rstrip('/')}/{self.secret}"
        return self.url


class PlatformSecretsSource(PydanticBaseSettingsSource):
    """The SOCIAL_GATEWAY_SECRET_<NAME> variables of the environment a load reads. Platform
    names are only known once the file is read, so the settings match them up themselves."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str | None]):
        super().__init__(settings_cls)
        self._environ = environ

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # this source fills no field by its own name

    def __call__(self) -> dict[str, Any]:
        prefix = SECRET_PREFIX.lower()
        found = {
            key.upper(): value
            for key, value in self._environ.items()
            if key.lower().startswith(prefix) and value
        }
        return {_SECRETS_KEY: found} if found else {}


class DatabaseSettings(ServiceSettings):
    """What the ``migrate`` command needs: the database only (other settings are not read)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="ignore")

    dsn: str = Field(default="", validate_default=True, repr=False)

    @field_validator("dsn")
    @classmethod
    def _dsn_given(cls, dsn: str) -> str:
        if not dsn:
            raise PydanticCustomError("dsn_missing", "set it to the PostgreSQL connection string")
        return dsn


class GatewaySettings(DatabaseSettings):
    """Everything the service reads at start; bad or missing values stop it with one line."""

    model_config = SettingsConfigDict(extra="forbid")

    # name -> SHA-256 hex of the key; the environment gives "name:sha256;name:sha256".
    api_keys: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, validate_default=True
    )
    platforms: dict[str, PlatformSettings] = Field(default_factory=dict)
    media_root: Path | None = None
    bind_host: str = "127.0.0.1"
    bind_port: int = Field(default=8710, ge=1, le=65535)
    # Delivery threads in this process; 0 leaves delivery to other gateway processes.
    worker_concurrency: int = Field(default=2, ge=0, le=32)
    # An idle worker looks for queued posts this often (a post queued here wakes it at once;
    # the poll finds posts queued through other gateway processes).
    worker_poll_s: float = Field(default=2.0, gt=0, le=300)
    # A post still "publishing" after this long was left by a gateway that died mid-delivery:
    # the platform may have it, so it becomes "unknown" (never re-sent without a person).
    # Longer than any delivery: max_attempts x (30 s timeout + backoff up to 30 s).
    stale_after_s: float = Field(default=900.0, gt=0)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources = super().settings_customise_sources(
            settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
        )
        environ = next(s.env_vars for s in sources if isinstance(s, EnvSettingsSource))
        return (*sources, PlatformSecretsSource(settings_cls, environ))

    @model_validator(mode="before")
    @classmethod
    def _name_platforms_and_add_secrets(cls, data: Any) -> Any:
        """Each ``[platforms.<name>]`` table gets its name, and the secret of its
        SOCIAL_GATEWAY_SECRET_<NAME> variable when one is set (over the file's secret)."""
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        secrets: Mapping[str, str] = data.pop(_SECRETS_KEY, {})
        platforms = data.get("platforms")
        if isinstance(platforms, Mapping):
            named = {}
            for name, entry in platforms.items():
                if isinstance(entry, Mapping):
                    entry = {**entry, "name": name}
                    secret = secrets.get(secret_variable(name))
                    if secret:
                        entry["secret"] = secret
                named[name] = entry
            data["platforms"] = named
        return data

    @field_validator("media_root", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value  # never Path(""), which is the working directory

    @field_validator("api_keys", mode="before")
    @classmethod
    def _parse_api_keys(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        keys: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in value.split(";"))):
            name, _, digest = item.partition(":")
            keys[name] = digest
        return keys

    @field_validator("api_keys")
    @classmethod
    def _check_api_keys(cls, keys: dict[str, str]) -> dict[str, str]:
        if not keys:
            raise PydanticCustomError(
                "api_keys_missing",
                "the gateway never runs without API keys: give name:sha256 entries separated "
                "by ';' (make a key and its SHA-256 with: {command})",
                {"command": NEW_KEY_COMMAND},
            )
        for name, digest in keys.items():
            if not name or not _SHA256.match(digest):
                raise PydanticCustomError(
                    "api_key_entry",
                    "entries look like name:<sha256 hex of the key>, got {name}:...",
                    {"name": repr(name)},
                )
        return {name: digest.lower() for name, digest in keys.items()}
