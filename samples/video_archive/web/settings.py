"""Web service settings: the archive's settings plus users, API keys and the listen address.

Everything comes from the environment (the systemd unit's 0600 environment file in a
deployment) or a TOML file named by ``VIDEO_ARCHIVE_WEB_CONFIG``::

    session_secret = "..."            # or VIDEO_ARCHIVE_WEB_SESSION_SECRET
    bind_host = "10.0.0.5"            # the private interface; never 0.0.0.0 by default
    bind_port = 8700
    secure_cookies = true             # behind the TLS ingress

    [users.alice]
    password_hash = "scrypt$16384$8$1$<salt hex>$<hash hex>"   # python -m ...web hash-password
    role = "editor"                   # viewer | editor

    [api_keys.prometheus]
    key_sha256 = "<sha256 hex of the key>"                     # python -m ...web new-api-key
    role = "viewer"

Users can also come as ``VIDEO_ARCHIVE_WEB_USERS`` (``name:role:hash`` entries separated by
``;``) and API keys as ``VIDEO_ARCHIVE_WEB_API_KEYS`` (``name:role:sha256`` entries), which
is how the secret store hands them over. There are no default users and no default secret.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samples.video_archive.config import ConfigError, Settings, load_settings

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


@dataclass(frozen=True)
class WebSettings:
    archive: Settings
    session_secret: str
    users: dict[str, Principal] = field(default_factory=dict)
    api_keys: dict[str, Principal] = field(default_factory=dict)
    bind_host: str = "127.0.0.1"
    bind_port: int = 8700
    secure_cookies: bool = False
    session_max_age_s: int = 12 * 3600
    pool_size: int = 8
    page_size: int = 24
    warm_semantic: bool = True  # load the embedder at start-up, in the background


def _principals(kind: str, table: dict[str, Any], secret_key: str) -> dict[str, Principal]:
    found: dict[str, Principal] = {}
    for name, entry in table.items():
        if not isinstance(entry, dict) or not entry.get(secret_key):
            raise ConfigError(f"{kind} {name!r} needs a {secret_key}")
        role = str(entry.get("role", "viewer"))
        if role not in ROLES:
            raise ConfigError(f"{kind} {name!r}: role must be one of {', '.join(ROLES)}")
        found[name] = Principal(name, role, str(entry[secret_key]))
    return found


def _from_env_list(kind: str, raw: str) -> dict[str, Principal]:
    found: dict[str, Principal] = {}
    for item in filter(None, (part.strip() for part in raw.split(";"))):
        parts = item.split(":", 2)
        if len(parts) != 3 or parts[1] not in ROLES or not parts[0] or not parts[2]:
            raise ConfigError(
                f"{ENV_PREFIX}{kind.upper()}S: entries look like name:role:secret "
                f"(role {' or '.join(ROLES)}), got {item.split(':', 1)[0]!r}:..."
            )
        found[parts[0]] = Principal(parts[0], parts[1], parts[2])
    return found


def load_web_settings(env: dict[str, str] | None = None) -> WebSettings:
    """Read the web settings; refuse to start without a session secret and someone to log in."""
    env = dict(os.environ if env is None else env)
    values: dict[str, Any] = {}
    config = env.get(f"{ENV_PREFIX}CONFIG")
    if config:
        path = Path(config).expanduser()
        if not path.exists():
            raise ConfigError(f"{ENV_PREFIX}CONFIG names {path}, which does not exist")
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    users = _principals("user", values.pop("users", {}), "password_hash")
    keys = _principals("API key", values.pop("api_keys", {}), "key_sha256")
    users.update(_from_env_list("user", env.get(f"{ENV_PREFIX}USERS", "")))
    keys.update(_from_env_list("api_key", env.get(f"{ENV_PREFIX}API_KEYS", "")))
    secret = env.get(f"{ENV_PREFIX}SESSION_SECRET") or str(values.pop("session_secret", ""))
    values.pop("session_secret", None)
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"{ENV_PREFIX}SESSION_SECRET must be set to at least {MIN_SECRET_LENGTH} random "
            "characters (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if not users and not keys:
        raise ConfigError(
            f"no users and no API keys: set {ENV_PREFIX}USERS or [users] in the config "
            "(hash a password with: python -m samples.video_archive.web hash-password)"
        )
    simple = {
        "bind_host": str,
        "bind_port": int,
        "secure_cookies": lambda v: str(v).lower() in {"1", "true", "yes", "on"},
        "session_max_age_s": int,
        "pool_size": int,
        "page_size": int,
        "warm_semantic": lambda v: str(v).lower() in {"1", "true", "yes", "on"},
    }
    kwargs: dict[str, Any] = {}
    for name, convert in simple.items():
        raw = env.get(f"{ENV_PREFIX}{name.upper()}", values.pop(name, None))
        if raw is not None:
            try:
                kwargs[name] = convert(raw)
            except ValueError as exc:
                raise ConfigError(f"setting {name}: cannot use {raw!r}") from exc
    if values:
        raise ConfigError(f"unknown web settings: {', '.join(sorted(values))}")
    return WebSettings(
        archive=load_settings(env=env),
        session_secret=secret,
        users=users,
        api_keys=keys,
        **kwargs,
    )
