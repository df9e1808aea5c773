"""One set of host groups: the local topology, the plays, Terraform and the cloud inventory.

A group the topology gives a host must be configured by a play (or be a sub-group that only
carries variables, like worker_cpu); a play must target a group hosts can be in; Terraform
must know exactly the cloud groups (the topology's, less the ones declared local-only).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from platformctl.host_groups import all_groups, cloud_groups, local_only_groups
from platformctl.paths import ANSIBLE_DIR, REPO_ROOT

PLATFORM_MODULE = REPO_ROOT / "terraform" / "modules" / "platform"


def play_groups() -> set[str]:
    """The groups the plays' host patterns name (all:!monitoring names monitoring)."""
    plays = yaml.safe_load((ANSIBLE_DIR / "playbook.yml").read_text(encoding="utf-8"))
    names = {name.lstrip("!&") for play in plays for name in play["hosts"].split(":")}
    return names - {"all"}


def variables_only_groups() -> set[str]:
    """Sub-groups that carry their own group_vars and no play (worker_cpu, worker_gpu)."""
    return {path.stem for path in (ANSIBLE_DIR / "group_vars").glob("*.yml")} - play_groups()


def terraform_groups(module: Path = PLATFORM_MODULE) -> set[str]:
    """The platform module's list of the groups a host may be in (`known_groups`)."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(module.glob("*.tf")))
    match = re.search(r"known_groups\s*=\s*\[(.*?)\]", text, re.S)
    assert match, f"no known_groups list in {module.relative_to(REPO_ROOT)}"
    return set(re.findall(r'"([a-z0-9_]+)"', match.group(1)))


def differences(
    topology: set[str], plays: set[str], variables_only: set[str], local_only: set[str],
    terraform: set[str],
) -> list[str]:  # fmt: skip
    found = []
    if unplayed := topology - plays - variables_only:
        found.append(f"groups no play configures: {sorted(unplayed)}")
    if unknown := plays - topology:
        found.append(f"plays for groups no host is in: {sorted(unknown)}")
    if missing := (topology - local_only) - terraform:
        found.append(f"cloud groups Terraform does not know: {sorted(missing)}")
    if extra := terraform - (topology - local_only):
        found.append(f"Terraform groups the topology does not have: {sorted(extra)}")
    return found


def test_topology_plays_and_terraform_are_one_set():
    assert (
        differences(
            set(all_groups()),
            play_groups(),
            variables_only_groups(),
            set(local_only_groups()),
            terraform_groups(),
        )
        == []
    )


def test_cloud_groups_are_the_topology_less_the_local_only_ones():
    assert set(cloud_groups()) == set(all_groups()) - {"saas_standins"}
    assert local_only_groups() == ["saas_standins"]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("topology", "groups no play configures: ['tracing']"),
        ("plays", "plays for groups no host is in: ['tracing']"),
        ("terraform", "Terraform groups the topology does not have: ['tracing']"),
    ],
)
def test_a_planted_mismatch_is_reported(where, message):
    sets = {
        "topology": set(all_groups()),
        "plays": play_groups(),
        "terraform": terraform_groups(),
    }
    sets[where] = sets[where] | {"tracing"}
    found = differences(
        sets["topology"],
        sets["plays"],
        variables_only_groups(),
        set(local_only_groups()),
        sets["terraform"],
    )
    assert message in found
