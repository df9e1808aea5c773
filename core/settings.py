"""The one settings mechanism of every service and sample: a pydantic-settings class each.

The same precedence everywhere, highest first:

1. the environment: ``<PREFIX><NAME>`` (``VIDEO_ARCHIVE_WORKERS=4``);
2. a TOML file: the one ``<PREFIX>CONFIG`` names, else the class's ``default_config_file``
   when that exists (a file that is named but missing is an error);
3. the class's defaults.

A deployment writes the file for structure (tables of platforms, users) and the environment
file for secrets; a person overrides one value for one run with a variable. Bad values stop
at load time with one line that names the variable or the file key to fix.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self

from pydantic import AfterValidator, ValidationError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings.sources.utils import parse_env_vars


def _origin(origin: str) -> str:
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?", origin):
        raise ValueError(f"{origin!r} is not an origin like https://app.cdaprod.dev")
    return origin


# A web origin (scheme://host[:port], no path), as settings that name other sites take them.
Origin = Annotated[str, AfterValidator(_origin)]


def optional_http_url(example: str) -> Any:
    """A str setting that is empty (not set) or an http(s) URL, kept without trailing
    slashes; a bad value's error shows ``example``."""

    def check(url: str) -> str:
        if url and not url.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL like {example}, got {url!r}")
        return url.rstrip("/")

    return Annotated[str, AfterValidator(check)]


class SettingsError(ValueError):
    """Settings are missing or wrong; the message says which variable or key, and why."""


# What one load() reads: the environment mapping and the TOML file. A context variable, not
# class state, so concurrent loads (tests, threads) never see each other's inputs.
_LOAD_INPUTS: ContextVar[tuple[Mapping[str, str], Path | None] | None] = ContextVar(
    "settings_load_inputs", default=None
)


class _MappingEnvSource(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        # The same parsing as pydantic-settings' own source (case, env_ignore_empty, ...).
        return parse_env_vars(
            self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


class ServiceSettings(BaseSettings):
    """Base of every service's settings class; subclasses set ``env_prefix`` in model_config."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True)

    # A file read when <PREFIX>CONFIG is not set and this exists (None: no default file).
    default_config_file: ClassVar[Path | None] = None

    @classmethod
    def env_prefix(cls) -> str:
        return str(cls.model_config.get("env_prefix", ""))

    @classmethod
    def config_file(cls, environ: Mapping[str, str]) -> Path | None:
        """The TOML file this environment selects, checked: a named file must exist."""
        variable = f"{cls.env_prefix()}CONFIG"
        named = environ.get(variable, "")
        if named:
            path = Path(named).expanduser()
            if not path.is_file():
                raise SettingsError(f"{variable} names {path}, which does not exist")
            return path
        default = cls.default_config_file
        if default is not None and default.expanduser().is_file():
            return default.expanduser()
        return None

    @classmethod
    def load(
        cls,
        environ: Mapping[str, str] | None = None,
        config_file: Path | None = None,
        **overrides: Any,
    ) -> Self:
        """Read the settings: `overrides`, then the environment, then the file, then defaults.

        `environ` defaults to os.environ; `config_file` replaces the file the environment
        names (it must exist).
        """
        environ = dict(os.environ if environ is None else environ)
        if config_file is not None and not config_file.is_file():
            raise SettingsError(f"config file {config_file} does not exist")
        path = config_file or cls.config_file(environ)
        with _inputs(environ, path):
            try:
                return cls(**overrides)
            except ValidationError as exc:
                raise SettingsError(_describe(cls, exc, path)) from None
            except ValueError as exc:  # a TOML syntax error, raised while reading the file
                raise SettingsError(f"{path}: {exc}") from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        inputs = _LOAD_INPUTS.get()
        if inputs is None:  # constructed directly (tests): the process environment, no file
            return (init_settings, env_settings)
        environ, path = inputs
        sources: list[PydanticBaseSettingsSource] = [
            init_settings,
            _MappingEnvSource(settings_cls, environ),
        ]
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


@contextmanager
def _inputs(environ: Mapping[str, str], path: Path | None) -> Iterator[None]:
    token = _LOAD_INPUTS.set((environ, path))
    try:
        yield
    finally:
        _LOAD_INPUTS.reset(token)


def _describe(cls: type[ServiceSettings], exc: ValidationError, path: Path | None) -> str:
    """One line per problem, naming the variable (and the file key) a person would change."""
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        field = loc[0] if loc else "?"
        where = f"{cls.env_prefix()}{field.upper()}"
        if path is not None:
            where += f" (or {'.'.join(loc)} in {path})"
        if error["type"] == "extra_forbidden":
            source = f"{path}" if path is not None else "the settings"
            problems.append(f"{source}: unknown setting {'.'.join(loc)!r}")
            continue
        problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)
