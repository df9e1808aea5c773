"""Web service settings: users, API keys, the session secret and the listen address, plus
the archive's own settings (``samples.video_archive.config.Settings``).

Precedence as everywhere (``core.settings``): ``VIDEO_ARCHIVE_WEB_<KEY>`` variables (the
systemd unit's 0600 environment file in a deployment), then the TOML file named by
``VIDEO_ARCHIVE_WEB_CONFIG``, then the defaults::

    session_secret = "..."            # or VIDEO_ARCHIVE_WEB_SESSION_SECRET
    bind_host = "10.0.0.5"            # the private interface; never 0.0.0.0 by default
    bind_port = 8700
    secure_cookies = true             # behind the TLS ingress
    # The archive app (app.<domain>) behind the same ingress checks the archive's session:
    # the cookie goes to the parent domain, and login may send people back to the app.
    session_cookie_domain = "cdaprod.dev"
    login_return_origins = ["https://app.cdaprod.dev"]

    [users.alice]
    password_hash = "scrypt$16384$8$5$<salt hex>$<hash hex>"   # python -m ...web hash-password
    role = "editor"                   # viewer | editor

    [api_keys.prometheus]
    key_sha256 = "<sha256 hex of the key>"                     # python -m ...web new-api-key
    role = "viewer"

Users can also come as ``VIDEO_ARCHIVE_WEB_USERS`` (``name:role:hash`` entries separated by
``;``) and API keys as ``VIDEO_ARCHIVE_WEB_API_KEYS`` (``name:role:sha256`` entries), which
is how the secret store hands them over. There are no default users and no default secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import NoDecode, SettingsConfigDict

from core.settings import Origin, ServiceSettings
from samples.video_archive.config import Settings

ENV_PREFIX = "VIDEO_ARCHIVE_WEB_"
ROLES = ("viewer", "editor")
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class Principal:
    """Someone allowed in: a UI user or an API key."""

    name: str
    role: str
    secret: str  # a password hash (users) or a SHA-256 hex digest (API keys)

    @property
    def can_edit(self) -> bool:
        return self.role == "editor"


def _invalid(message: str) -> PydanticCustomError:
    # The message is literal text, so braces in it must not be taken for placeholders.
    return PydanticCustomError("invalid_setting", message.replace("{", "{{").replace("}", "}}"))


def _from_env_list(raw: str) -> dict[str, Principal]:
    """``name:role:secret;...`` as the secret store writes it."""
    found: dict[str, Principal] = {}
    for item in filter(None, (part.strip() for part in raw.split(";"))):
        parts = item.split(":", 2)
        if len(parts) != 3 or parts[1] not in ROLES or not parts[0] or not parts[2]:
            raise _invalid(
                f"entries look like name:role:secret (role {' or '.join(ROLES)}), "
                f"got {item.split(':', 1)[0]!r}:..."
            )
        found[parts[0]] = Principal(parts[0], parts[1], parts[2])
    return found


def _from_tables(kind: str, tables: Mapping[str, Any], secret_key: str) -> dict[str, Principal]:
    """``[users.NAME]`` / ``[api_keys.NAME]`` tables of the TOML file."""
    found: dict[str, Principal] = {}
    for name, entry in tables.items():
        if isinstance(entry, Principal):
            found[name] = entry
            continue
        if not isinstance(entry, Mapping) or not entry.get(secret_key):
            raise _invalid(f"{kind} {name!r} needs a {secret_key}")
        role = str(entry.get("role", "viewer"))
        if role not in ROLES:
            raise _invalid(f"{kind} {name!r}: role must be one of {', '.join(ROLES)}")
        found[name] = Principal(name, role, str(entry[secret_key]))
    return found


def _principals(kind: str, value: Any, secret_key: str) -> Any:
    if isinstance(value, str):
        return _from_env_list(value)
    if isinstance(value, Mapping):
        return _from_tables(kind, value, secret_key)
    return value  # pydantic reports the wrong type


class WebSettings(ServiceSettings):
    """Everything the web service reads at start-up; it refuses to start insecurely."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX)

    archive: Settings
    # Checked even when unset: there is no default secret.
    session_secret: str = Field(default="", validate_default=True)
    users: Annotated[dict[str, Principal], NoDecode] = Field(default_factory=dict)
    # Checked even when unset: someone must be able to log in.
    api_keys: Annotated[dict[str, Principal], NoDecode] = Field(
        default_factory=dict, validate_default=True
    )
    bind_host: str = "127.0.0.1"
    bind_port: int = 8700
    secure_cookies: bool = False
    # Empty: the session cookie is this host's only.
    session_cookie_domain: str = ""
    # Other sites' origins (scheme://host[:port]) that login's ``next`` may send people to.
    login_return_origins: list[Origin] = Field(default_factory=list)
    session_max_age_s: int = 12 * 3600
    pool_size: int = 8
    page_size: int = 24
    warm_semantic: bool = True  # load the embedder at start-up, in the background

    @classmethod
    def load(
        cls,
        environ: Mapping[str, str] | None = None,
        config_file: Path | None = None,
        **overrides: Any,
    ) -> Self:
        """The web settings and, unless given, the archive settings from the same
        environment (``VIDEO_ARCHIVE_*``, ``VIDEO_ARCHIVE_CONFIG``)."""
        if "archive" not in overrides:
            overrides["archive"] = Settings.load(environ)
        return super().load(environ, config_file, **overrides)

    @field_validator("session_cookie_domain")
    @classmethod
    def _bare_domain(cls, domain: str) -> str:
        if domain and not re.fullmatch(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?", domain):
            raise PydanticCustomError(
                "domain", "must be a bare domain name like cdaprod.dev, got {value!r}",
                {"value": domain},
            )  # fmt: skip
        return domain

    @field_validator("session_secret", mode="after")
    @classmethod
    def _long_secret(cls, secret: str) -> str:
        if len(secret) < MIN_SECRET_LENGTH:
            raise _invalid(
                f"must be set to at least {MIN_SECRET_LENGTH} random characters "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return secret

    @field_validator("users", mode="before")
    @classmethod
    def _users(cls, value: Any) -> Any:
        return _principals("user", value, "password_hash")

    @field_validator("api_keys", mode="before")
    @classmethod
    def _api_keys(cls, value: Any) -> Any:
        return _principals("API key", value, "key_sha256")

    @field_validator("api_keys", mode="after")
    @classmethod
    def _someone_can_log_in(cls, keys: dict[str, Principal], info: ValidationInfo) -> Any:
        if "users" in info.data and not info.data["users"] and not keys:
            raise _invalid(
                f"no users and no API keys: set {ENV_PREFIX}USERS or [users] in the config "
                "(hash a password with: python -m samples.video_archive.web hash-password)"
            )
        return keys
