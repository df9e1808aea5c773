"""Settings of the social pipeline: where the catalog and derivatives are, the gateway, and
one entry per platform (render profile, caption limits, template, auto-approve).

One pydantic-settings class on the project's mechanism (core.settings): the environment
(``SOCIAL_CATALOG_DSN``, ``SOCIAL_DERIVATIVES_DIR``, ``SOCIAL_GATEWAY_URL``,
``SOCIAL_GATEWAY_API_KEY``, ``SOCIAL_LOGO``, ...) over the TOML file ``SOCIAL_CONFIG`` names
over the defaults::

    derivatives_dir = "/srv/social/derivatives"
    logo = "/srv/social/logo.png"            # optional

    [platforms.mastodon]                     # adjusts the default "mastodon"; a new name adds one
    profile = "landscape"                    # vertical | landscape | square
    caption_limit = 500
    hashtag_limit = 4
    min_duration_s = 1.0
    clip_s = 30
    template = "{title}\\n\\n{description}\\n\\n{hashtags}"
    auto_approve = false
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import SettingsConfigDict

from core.settings import ServiceSettings
from samples.social_media_automation.profiles import PROFILES

DEFAULT_TEMPLATE = "{title}\n\n{description}\n\n{hashtags}"


class PlatformConfig(BaseModel):
    """How the pipeline drafts for one platform (a ``[platforms.<name>]`` table)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    profile: str = "landscape"
    caption_limit: int = 500
    hashtag_limit: int = 5
    min_duration_s: float = 1.0
    clip_s: float = 30.0
    template: str = DEFAULT_TEMPLATE
    auto_approve: bool = False

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, profile: str) -> str:
        if profile not in PROFILES:
            raise PydanticCustomError(
                "profile", "must be one of {known}", {"known": ", ".join(PROFILES)}
            )
        return profile

    @model_validator(mode="after")
    def _clip_fits_the_profile(self) -> PlatformConfig:
        longest = PROFILES[self.profile].max_duration_s
        if self.clip_s > longest:
            raise PydanticCustomError(
                "clip_too_long",
                "platform {name}: clip_s {clip_s} exceeds the {profile} profile's {longest} s",
                {"name": repr(self.name), "clip_s": self.clip_s, "profile": self.profile,
                 "longest": longest},
            )  # fmt: skip
        return self


DEFAULT_PLATFORMS = {
    p.name: p
    for p in (
        PlatformConfig(name="mastodon", caption_limit=500, hashtag_limit=4, clip_s=30.0),
        PlatformConfig(name="discord", caption_limit=2000, hashtag_limit=10, clip_s=60.0),
        PlatformConfig(
            name="shorts", profile="vertical", caption_limit=2200, hashtag_limit=30, clip_s=60.0
        ),
        PlatformConfig(
            name="square-feed", profile="square", caption_limit=2200, hashtag_limit=30, clip_s=60.0
        ),
    )
}

# What a missing required setting should say (beside the variable's name).
_REQUIRED = {
    "catalog_dsn": "set it to the archive catalog's PostgreSQL DSN",
    "derivatives_dir": "set it to a directory for the clips (clips never go beside originals)",
}


class SocialSettings(ServiceSettings):
    """The pipeline's settings; bad or missing values stop a step with one line."""

    model_config = SettingsConfigDict(env_prefix="SOCIAL_", env_ignore_empty=True)

    catalog_dsn: str = Field(default="", validate_default=True, repr=False)
    derivatives_dir: Path = Field(default="", validate_default=True)
    gateway_url: str = ""
    gateway_api_key: str = Field(default="", repr=False)
    platforms: dict[str, PlatformConfig] = Field(default_factory=lambda: dict(DEFAULT_PLATFORMS))
    logo: Path | None = None
    loudness_lufs: float = -16.0
    true_peak_db: float = -1.5
    slot_spacing_min: int = 60  # proposed slots one hour apart per platform

    @field_validator("catalog_dsn", "derivatives_dir", mode="before")
    @classmethod
    def _given(cls, value: Any, info: ValidationInfo) -> Any:
        if value in ("", None):
            raise PydanticCustomError("missing", _REQUIRED[str(info.field_name)])
        return value

    @field_validator("logo", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value  # never Path(""), which is the working directory

    @field_validator("platforms", mode="before")
    @classmethod
    def _over_the_defaults(cls, value: Any) -> Any:
        """Tables (the file's, or SOCIAL_PLATFORMS as JSON) adjust the default platform of
        their name or add one; the defaults stay. PlatformConfig objects given in code are
        the complete set."""
        if not isinstance(value, Mapping) or (
            value and all(isinstance(v, PlatformConfig) for v in value.values())
        ):
            return value
        merged: dict[str, Any] = dict(DEFAULT_PLATFORMS)
        for name, entry in value.items():
            if isinstance(entry, Mapping):
                base = DEFAULT_PLATFORMS.get(name)
                entry = {**(base.model_dump() if base else {}), **entry, "name": name}
            merged[name] = entry
        return merged


def load_social_settings(environ: Mapping[str, str] | None = None) -> SocialSettings:
    """The settings from ``environ`` (default: the process environment) and SOCIAL_CONFIG;
    core.settings.SettingsError names what to fix."""
    return SocialSettings.load(environ)
