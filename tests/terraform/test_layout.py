"""One AWS root, environments as data: the layout platformctl and the Makefile rely on."""

from __future__ import annotations

import re

from platformctl import terraform

SHARED = ("main.tf", "variables.tf", "outputs.tf")


def _setting(env: str, name: str) -> str:
    text = terraform.layout(env).tfvars.read_text(encoding="utf-8")
    match = re.search(rf'^{name}\s*=\s*"([^"]*)"', text, re.M)
    assert match, f"{env}.tfvars does not set {name}"
    return match.group(1)


def test_every_terraform_environment_is_data_for_a_root() -> None:
    for env in terraform.ENVS:
        paths = terraform.layout(env)
        assert paths.root.parent == terraform.ROOTS_DIR
        assert _setting(env, "environment") == env
        # Nothing but inputs is committed in an environment directory.
        assert not list(paths.env_dir.glob("*.tf")), f"{env}: configuration belongs in roots/"


def test_aws_environments_share_one_root() -> None:
    assert {terraform.ROOT_OF[env] for env in ("dev", "stage", "prod")} == {"aws"}


def test_emulated_root_applies_the_aws_composition() -> None:
    """The emulated root's composition is the AWS root's own files, not a copy that drifts."""
    emulated, aws = terraform.ROOTS_DIR / "emulated", terraform.ROOTS_DIR / "aws"
    for name in SHARED:
        assert (emulated / name).is_symlink(), f"roots/emulated/{name} must link to roots/aws"
        assert (emulated / name).resolve() == (aws / name).resolve()
    own = {p.name for p in emulated.glob("*.tf")} - set(SHARED)
    assert own == {"versions.tf", "moto.tf"}, own


def test_environments_do_not_overlap() -> None:
    """Distinct VPC ranges and zones, so environments can be peered and never share names."""
    envs = terraform.ENVS
    for name in ("vpc_cidr", "domain_name"):
        values = [_setting(env, name) for env in envs]
        assert len(set(values)) == len(values), f"{name} repeats across environments: {values}"
