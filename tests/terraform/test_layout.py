"""One AWS root, environments as data: the layout platformctl and the Makefile rely on."""

from __future__ import annotations

import ipaddress
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


def test_emulated_vpc_is_clear_of_podman_and_the_uplink() -> None:
    """Emulated hosts are containers at the instances' private IPs on a podman network with the
    VPC's range: it must overlap neither podman's own networks nor the machine's uplink."""
    vpc = ipaddress.ip_network(_setting("emulated", "vpc_cidr"))
    for taken in ("10.88.0.0/16", "10.89.0.0/16", "192.0.2.0/24"):
        assert not vpc.overlaps(ipaddress.ip_network(taken)), f"emulated vpc_cidr overlaps {taken}"


def test_no_secret_value_is_managed_by_terraform() -> None:
    """platformctl writes the platform secret's values with boto3, so no value ever lands in
    Terraform state: no configuration may declare a secret version (resource or data)."""
    declared = re.compile(r'^\s*(resource|data)\s+"aws_secretsmanager_secret_version"', re.M)
    found = [
        str(path.relative_to(terraform.TF_DIR))
        for path in terraform.TF_DIR.rglob("*.tf")
        if ".terraform" not in path.parts and declared.search(path.read_text(encoding="utf-8"))
    ]
    assert found == [], f"secret versions declared in {found}"
