"""The environments one `ENV=` switch selects across every make target."""

from __future__ import annotations

from dataclasses import dataclass

from platformctl.errors import PlatformError


@dataclass(frozen=True)
class Environment:
    name: str
    description: str
    # "podman": systemd containers on this machine; "terraform": hosts come from Terraform.
    hosts_from: str


ENVIRONMENTS: dict[str, Environment] = {
    env.name: env
    for env in (
        Environment("local", "podman hosts on this machine (the default)", "podman"),
        Environment("emulated", "Terraform against a moto server on 127.0.0.1", "terraform"),
        Environment("dev", "AWS, development account", "terraform"),
        Environment("stage", "AWS, staging", "terraform"),
        Environment("prod", "AWS, production", "terraform"),
    )
}


def get_environment(name: str) -> Environment:
    """Return the environment called `name`, or fail with the list of valid names."""
    try:
        return ENVIRONMENTS[name]
    except KeyError:
        choices = ", ".join(ENVIRONMENTS)
        raise PlatformError(
            f"unknown ENV '{name}': choose one of {choices} (e.g. make up ENV=local)"
        ) from None
