"""The platform's one set of host groups.

The local topology (ansible/inventories/local/topology.yml) names every group a host can
be in; the ones that exist only on this machine (stand-ins for SaaS the build machines
cannot reach) are listed there under `local_only_groups`. Every other group is a cloud
group too: Terraform's known groups, the generated cloud inventories and the plays'
`hosts:` are the same set (tests/platformctl/test_group_set.py holds them to it).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from platformctl.paths import inventory_dir

TOPOLOGY_FILE = inventory_dir("local") / "topology.yml"


@cache
def topology() -> dict[str, Any]:
    return yaml.safe_load(TOPOLOGY_FILE.read_text(encoding="utf-8"))


def all_groups() -> list[str]:
    """Every group of the platform, as the local topology's hosts name them."""
    return sorted({group for host in topology()["hosts"].values() for group in host["groups"]})


def local_only_groups() -> list[str]:
    return sorted(topology().get("local_only_groups", []))


def cloud_groups() -> list[str]:
    """The groups a Terraform environment may put on its hosts."""
    local_only = set(local_only_groups())
    return [group for group in all_groups() if group not in local_only]
