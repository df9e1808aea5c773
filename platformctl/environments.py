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
    # Terraform root under terraform/roots/ that serves this environment (None: no Terraform).
    # The AWS environments share one root and differ only in terraform/environments/<env>/.
    terraform_root: str | None = None


ENVIRONMENTS: dict[str, Environment] = {
    env.name: env
    for env in (
        Environment("local", "podman hosts on this machine (the default)", "podman"),
        Environment(
            "emulated", "Terraform against a moto server on 127.0.0.1", "terraform", "emulated"
        ),
        Environment("dev", "AWS, development account", "terraform", "aws"),
        Environment("stage", "AWS, staging", "terraform", "aws"),
        Environment("prod", "AWS, production", "terraform", "aws"),
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
