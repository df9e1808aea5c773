"""Settings of the social pipeline: where the catalog and derivatives are, the gateway, and
one entry per platform (render profile, caption limits, template, auto-approve).

From a TOML file named by ``SOCIAL_CONFIG`` and the environment (``SOCIAL_CATALOG_DSN``,
``SOCIAL_DERIVATIVES_DIR``, ``SOCIAL_GATEWAY_URL``, ``SOCIAL_GATEWAY_API_KEY``)::

    derivatives_dir = "/srv/social/derivatives"
    logo = "/srv/social/logo.png"            # optional

    [platforms.mastodon]
    profile = "landscape"                    # vertical | landscape | square
    caption_limit = 500
    hashtag_limit = 4
    min_duration_s = 1.0
    clip_s = 30
    template = "{title}\\n\\n{description}\\n\\n{hashtags}"
    auto_approve = false
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from samples.social_media_automation.profiles import PROFILES

DEFAULT_TEMPLATE = "{title}\n\n{description}\n\n{hashtags}"


class SocialConfigError(ValueError):
    """A setting is missing or wrong; the message says which."""


@dataclass(frozen=True)
class PlatformConfig:
    name: str
    profile: str = "landscape"
    caption_limit: int = 500
    hashtag_limit: int = 5
    min_duration_s: float = 1.0
    clip_s: float = 30.0
    template: str = DEFAULT_TEMPLATE
    auto_approve: bool = False


DEFAULT_PLATFORMS = {
    "mastodon": PlatformConfig("mastodon", "landscape", 500, 4, 1.0, 30.0),
    "discord": PlatformConfig("discord", "landscape", 2000, 10, 1.0, 60.0),
    "shorts": PlatformConfig("shorts", "vertical", 2200, 30, 1.0, 60.0),
    "square-feed": PlatformConfig("square-feed", "square", 2200, 30, 1.0, 60.0),
}


@dataclass(frozen=True)
class SocialSettings:
    catalog_dsn: str
    derivatives_dir: Path
    gateway_url: str = ""
    gateway_api_key: str = ""
    platforms: dict[str, PlatformConfig] = field(default_factory=lambda: dict(DEFAULT_PLATFORMS))
    logo: Path | None = None
    loudness_lufs: float = -16.0
    true_peak_db: float = -1.5
    slot_spacing_min: int = 60  # proposed slots one hour apart per platform


def _platform(name: str, entry: dict[str, Any]) -> PlatformConfig:
    base = DEFAULT_PLATFORMS.get(name, PlatformConfig(name))
    known = set(PlatformConfig.__dataclass_fields__) - {"name"}
    unknown = set(entry) - known
    if unknown:
        raise SocialConfigError(f"platform {name!r}: unknown settings {', '.join(sorted(unknown))}")
    config = replace(base, **entry)
    if config.profile not in PROFILES:
        raise SocialConfigError(f"platform {name!r}: profile must be one of {', '.join(PROFILES)}")
    if config.clip_s > PROFILES[config.profile].max_duration_s:
        raise SocialConfigError(
            f"platform {name!r}: clip_s {config.clip_s} exceeds the {config.profile} profile's "
            f"{PROFILES[config.profile].max_duration_s} s"
        )
    return config


def load_social_settings(env: dict[str, str] | None = None) -> SocialSettings:
    env = dict(os.environ if env is None else env)
    values: dict[str, Any] = {}
    if env.get("SOCIAL_CONFIG"):
        path = Path(env["SOCIAL_CONFIG"]).expanduser()
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SocialConfigError(f"SOCIAL_CONFIG names {path}, which does not exist") from exc
        except tomllib.TOMLDecodeError as exc:
            raise SocialConfigError(f"{path}: not valid TOML: {exc}") from exc
    dsn = env.get("SOCIAL_CATALOG_DSN") or str(values.get("catalog_dsn", ""))
    if not dsn:
        raise SocialConfigError("set SOCIAL_CATALOG_DSN to the archive catalog's PostgreSQL DSN")
    derivatives = env.get("SOCIAL_DERIVATIVES_DIR") or values.get("derivatives_dir")
    if not derivatives:
        raise SocialConfigError("set SOCIAL_DERIVATIVES_DIR (clips never go beside originals)")
    platforms = dict(DEFAULT_PLATFORMS)
    for name, entry in values.get("platforms", {}).items():
        platforms[name] = _platform(name, entry)
    logo = values.get("logo") or env.get("SOCIAL_LOGO")
    return SocialSettings(
        catalog_dsn=dsn,
        derivatives_dir=Path(derivatives),
        gateway_url=env.get("SOCIAL_GATEWAY_URL") or str(values.get("gateway_url", "")),
        gateway_api_key=env.get("SOCIAL_GATEWAY_API_KEY", ""),
        platforms=platforms,
        logo=Path(logo) if logo else None,
        loudness_lufs=float(values.get("loudness_lufs", -16.0)),
    )
