"""Gateway settings, from the environment and an optional TOML file.

``SOCIAL_GATEWAY_DSN`` (PostgreSQL), ``SOCIAL_GATEWAY_API_KEYS`` (``name:sha256`` entries
separated by ``;``, the SHA-256 of each key) and ``SOCIAL_GATEWAY_CONFIG`` naming a TOML file::

    media_root = "/srv/social/derivatives"   # media paths in requests must lie under it

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
    url = "https://discord.com/api/webhooks/<id>/<token>"

There is no default key and no default secret: the service refuses to start without them.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "SOCIAL_GATEWAY_"
KINDS = ("webhook", "discord", "mastodon")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


class GatewayConfigError(ValueError):
    """The gateway's settings are missing or wrong; the message says which."""


@dataclass(frozen=True)
class PlatformSettings:
    name: str
    kind: str
    url: str
    secret: str = ""
    per_minute: float = 30.0
    max_attempts: int = 4


@dataclass(frozen=True)
class GatewaySettings:
    dsn: str
    api_keys: dict[str, str]  # name -> SHA-256 hex of the key
    platforms: dict[str, PlatformSettings] = field(default_factory=dict)
    media_root: Path | None = None
    bind_host: str = "127.0.0.1"
    bind_port: int = 8710
    duplicate_wait_s: float = 30.0  # how long a duplicate waits for the first request
    # A post still "publishing" after this long was left by a gateway that died mid-publish:
    # the next request with its key publishes it again (the platform gets the same
    # Idempotency-Key; Mastodon de-duplicates on it, webhook receivers can).
    stale_after_s: float = 900.0


def _platform(name: str, entry: dict[str, Any], env: dict[str, str]) -> PlatformSettings:
    kind = str(entry.get("kind", ""))
    if kind not in KINDS:
        raise GatewayConfigError(f"platform {name!r}: kind must be one of {', '.join(KINDS)}")
    url = str(entry.get("url", ""))
    if not url.startswith(("http://", "https://")):
        raise GatewayConfigError(f"platform {name!r}: url must be an http(s) URL")
    env_name = f"{ENV_PREFIX}SECRET_{re.sub(r'[^A-Z0-9]', '_', name.upper())}"
    secret = env.get(env_name) or str(entry.get("secret", ""))
    if kind in ("webhook", "mastodon") and not secret:
        raise GatewayConfigError(f"platform {name!r}: set {env_name} (or secret in the file)")
    return PlatformSettings(
        name, kind, url, secret,
        per_minute=float(entry.get("per_minute", 30)),
        max_attempts=int(entry.get("max_attempts", 4)),
    )  # fmt: skip


def parse_api_keys(raw: str) -> dict[str, str]:
    keys: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(";"))):
        name, _, digest = item.partition(":")
        if not name or not _SHA256.match(digest):
            raise GatewayConfigError(
                f"{ENV_PREFIX}API_KEYS: entries look like name:<sha256 hex of the key>, "
                f"got {name!r}:..."
            )
        keys[name] = digest.lower()
    return keys


def load_gateway_settings(env: dict[str, str] | None = None) -> GatewaySettings:
    env = dict(os.environ if env is None else env)
    values: dict[str, Any] = {}
    if env.get(f"{ENV_PREFIX}CONFIG"):
        path = Path(env[f"{ENV_PREFIX}CONFIG"]).expanduser()
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise GatewayConfigError(
                f"{ENV_PREFIX}CONFIG names {path}, which does not exist"
            ) from exc
        except tomllib.TOMLDecodeError as exc:
            raise GatewayConfigError(f"{path}: not valid TOML: {exc}") from exc
    dsn = env.get(f"{ENV_PREFIX}DSN") or str(values.get("dsn", ""))
    if not dsn:
        raise GatewayConfigError(f"set {ENV_PREFIX}DSN to the PostgreSQL connection string")
    keys = parse_api_keys(env.get(f"{ENV_PREFIX}API_KEYS", ""))
    if not keys:
        raise GatewayConfigError(
            f"set {ENV_PREFIX}API_KEYS (name:sha256 entries); the gateway never runs without "
            "API keys. Make one with: python -m services.social_gateway new-api-key"
        )
    platforms = {
        name: _platform(name, entry, env) for name, entry in values.get("platforms", {}).items()
    }
    media_root = values.get("media_root") or env.get(f"{ENV_PREFIX}MEDIA_ROOT")
    return GatewaySettings(
        dsn=dsn,
        api_keys=keys,
        platforms=platforms,
        media_root=Path(media_root) if media_root else None,
        bind_host=str(values.get("bind_host", env.get(f"{ENV_PREFIX}BIND_HOST", "127.0.0.1"))),
        bind_port=int(values.get("bind_port", env.get(f"{ENV_PREFIX}BIND_PORT", 8710))),
    )
