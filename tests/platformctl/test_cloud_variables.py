"""Every variable the plays read resolves against a generated cloud inventory.

The cloud inventory (platformctl.inventory_terraform, from Terraform's `inventory` output) is
the only place a cloud environment's settings come from. This renders, for every play of
playbook.yml and every host it runs on, each variable of the platform's group_vars and of the
play's roles' defaults, and fails on the first undefined one, naming it. Secrets are the
only thing faked: their store is Secrets Manager, which a unit test does not call.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml

from platformctl.inventory_terraform import SsmAccess, write_inventory
from platformctl.paths import ANSIBLE_DIR
from platformctl.secrets import SECRET_GENERATORS
from tests.platformctl.test_inventory_terraform import outputs

# What gathered facts give a host that the roles' defaults read.
FACTS = {"default_ipv4": {"address": "10.10.8.5"}, "architecture": "x86_64", "processor_vcpus": 4}

STAGE = outputs(
    **{
        "cdaprod-stage-postgres-1": ["postgres"],
        "cdaprod-stage-weaviate-1": ["weaviate"],
        "cdaprod-stage-master-1": ["airflow_master"],
        "cdaprod-stage-worker-cpu-1": ["airflow_worker", "worker_cpu"],
        "cdaprod-stage-worker-gpu-1": ["airflow_worker", "worker_gpu"],
        "cdaprod-stage-archive-1": ["video_archive"],
        "cdaprod-stage-social-1": ["social_gateway"],
        "cdaprod-stage-ingress-1": ["ingress"],
    }
)


def _names(path: Path) -> list[str]:
    return list((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).keys())


@functools.cache
def _plugin_loader() -> None:
    """Ansible's plugin and collection loader, set up once per process as the CLI does."""
    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader()


def undefined_variables(inventory: Path) -> list[str]:
    """`host: variable: error` for every variable a play would read that does not resolve."""
    from ansible.errors import AnsibleError
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.playbook import Playbook
    from ansible.template import Templar
    from ansible.vars.manager import VariableManager

    _plugin_loader()
    loader = DataLoader()
    # As ansible-playbook does: the playbook's directory is where its group_vars are found.
    loader.set_basedir(str(ANSIBLE_DIR))
    hosts = InventoryManager(loader=loader, sources=[str(inventory)])
    variables = VariableManager(loader=loader, inventory=hosts)
    # The platform's group_vars, and any beside the inventory (the planted-mismatch test's).
    group_var_files = sorted((ANSIBLE_DIR / "group_vars").rglob("*.yml")) + sorted(
        (inventory.parent / "group_vars").rglob("*.yml")
    )
    group_var_names = [name for path in group_var_files for name in _names(path)]
    fake_secrets = {key: f"fake-{key}-value-long-enough-0123456789" for key in SECRET_GENERATORS}
    problems: list[str] = []
    playbook = Playbook.load(
        str(ANSIBLE_DIR / "playbook.yml"), variable_manager=variables, loader=loader
    )
    for play in playbook.get_plays():
        role_names = [
            name
            for role in play.get_roles()
            for name in _names(Path(role._role_path) / "defaults" / "main.yml")
            if (Path(role._role_path) / "defaults" / "main.yml").is_file()
        ]
        for host in hosts.get_hosts(play.hosts):
            # As gathered: under ansible_facts, and as ansible_<fact> (inject_facts_as_vars).
            variables.set_host_facts(
                host.name, {**FACTS, **{f"ansible_{key}": value for key, value in FACTS.items()}}
            )
            variables.set_host_variable(host.name, "platform_secrets", fake_secrets)
            found = variables.get_vars(play=play, host=host)
            templar = Templar(loader=loader, variables=found)
            for name in dict.fromkeys(group_var_names + role_names):
                if name not in found:
                    continue
                try:
                    templar.template(found[name])
                except AnsibleError as exc:
                    problems.append(f"{host.name}: {name}: {str(exc).splitlines()[0]}")
    return list(dict.fromkeys(problems))  # a host in two plays reports once


@pytest.fixture
def stage_inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from platformctl import inventory_terraform

    monkeypatch.setattr(inventory_terraform, "inventory_dir", lambda env: tmp_path / env)
    return write_inventory("stage", STAGE, SsmAccess("us-east-1", "cdaprod-stage-ssm-transfer"))


def test_every_variable_resolves_against_a_generated_cloud_inventory(stage_inventory: Path):
    assert undefined_variables(stage_inventory) == []


def test_a_planted_undefined_variable_is_reported(stage_inventory: Path):
    planted = stage_inventory.parent / "group_vars" / "ingress.yml"
    planted.parent.mkdir()
    planted.write_text('ingress_planted: "{{ platform_setting_nothing_sets }}"\n')
    problems = undefined_variables(stage_inventory)
    assert problems == [
        "cdaprod-stage-ingress-1: ingress_planted: 'platform_setting_nothing_sets' is undefined"
    ]
