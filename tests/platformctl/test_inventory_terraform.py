"""The cloud inventory, written from Terraform's `inventory` output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from platformctl import inventory_terraform
from platformctl.errors import PlatformError
from platformctl.host_groups import cloud_groups
from platformctl.inventory_terraform import SshAccess, SsmAccess, build_inventory

_VENV_PATH = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
ANSIBLE_INVENTORY = shutil.which("ansible-inventory", path=_VENV_PATH)


def outputs(**hosts: list[str]) -> dict[str, Any]:
    """An `inventory` output as Terraform gives it, with the named hosts and their groups."""
    return {
        "environment": "dev",
        "region": "us-east-1",
        "domain": "dev.cdaprod.dev",
        "private_cidr": "10.10.0.0/16",
        "buckets": {
            purpose: f"cdaprod-dev-{purpose}"
            for purpose in ("raw", "derivatives", "notebooks", "backups", "logs", "transfer")
        },
        "ingest_queue_url": "https://sqs.us-east-1.amazonaws.com/123456789012/cdaprod-dev-raw",
        "ingest_dead_letter_queue_url": "https://sqs.example/dlq",
        "secrets_id": "arn:aws:secretsmanager:us-east-1:123456789012:secret:cdaprod-dev/platform",
        "ssm_transfer_bucket": "cdaprod-dev-transfer",
        "public_airflow_ui": False,
        "discovery_tags": {"Project": "cdaprod", "Environment": "dev"},
        "hosts": {
            name: {
                "id": f"i-{n:017x}",
                "kind": name.rsplit("-", 1)[0],
                "groups": groups,
                "private_ip": f"10.10.8.{n}",
                "availability_zone": "us-east-1a",
                "instance_type": "t3.large",
                "gpu": "worker_gpu" in groups,
                "data_volume_id": f"vol-{n:017x}" if "postgres" in groups else None,
            }
            for n, (name, groups) in enumerate(hosts.items(), start=4)
        },
    }


DEV = outputs(
    **{
        "cdaprod-dev-data-1": ["postgres", "weaviate"],
        "cdaprod-dev-master-1": ["airflow_master", "video_archive", "social_gateway", "ingress"],
        "cdaprod-dev-worker-cpu-1": ["airflow_worker", "worker_cpu"],
        "cdaprod-dev-worker-gpu-1": ["airflow_worker", "worker_gpu"],
    }
)
SSM = SsmAccess("us-east-1", "cdaprod-dev-transfer")


def test_a_host_is_in_every_group_it_lists_and_every_cloud_group_is_declared():
    children = build_inventory(DEV, SSM)["all"]["children"]
    assert sorted(children) == cloud_groups()
    for group in ("airflow_master", "video_archive", "social_gateway", "ingress"):
        assert list(children[group]["hosts"]) == ["cdaprod-dev-master-1"], group
    assert sorted(children["airflow_worker"]["hosts"]) == [
        "cdaprod-dev-worker-cpu-1",
        "cdaprod-dev-worker-gpu-1",
    ]
    assert "saas_standins" not in children


def test_every_variable_the_roles_read_comes_from_the_outputs():
    variables = build_inventory(DEV, SSM)["all"]["vars"]
    assert variables["platform_env"] == "dev"
    assert variables["platform_domain"] == "dev.cdaprod.dev"
    assert variables["platform_private_cidr"] == "10.10.0.0/16"
    assert variables["platform_backup_bucket"] == "cdaprod-dev-backups"
    assert variables["platform_ingest_queue_url"].endswith("cdaprod-dev-raw")
    assert variables["platform_secrets_backend"] == "aws"
    assert variables["platform_secrets_id"].endswith("cdaprod-dev/platform")
    data = build_inventory(DEV, SSM)["all"]["children"]["postgres"]["hosts"]["cdaprod-dev-data-1"]
    assert data["platform_data_volume_id"].startswith("vol-")
    # Prometheus finds the instances by these tags, at AWS's own endpoint unless one is given.
    assert variables["platform_discovery_tags"] == {"Project": "cdaprod", "Environment": "dev"}
    assert variables["platform_aws_endpoint_url"] == ""
    moto = {**DEV, "aws_endpoint_url": "http://10.91.255.254:5000"}
    seen = build_inventory(moto, SSM)["all"]["vars"]["platform_aws_endpoint_url"]
    assert seen == "http://10.91.255.254:5000"


def test_aws_hosts_are_reached_over_ssm_and_emulated_ones_over_ssh(tmp_path):
    aws = build_inventory(DEV, SSM)["all"]
    assert aws["vars"]["ansible_connection"] == "amazon.aws.aws_ssm"
    assert aws["vars"]["ansible_aws_ssm_bucket_name"] == "cdaprod-dev-transfer"
    host = aws["children"]["postgres"]["hosts"]["cdaprod-dev-data-1"]
    assert host["ansible_aws_ssm_instance_id"] == DEV["hosts"]["cdaprod-dev-data-1"]["id"]

    emulated = build_inventory(DEV, SshAccess(tmp_path / "ssh" / "id_ed25519"))["all"]
    assert emulated["vars"]["ansible_connection"] == "ssh"
    host = emulated["children"]["postgres"]["hosts"]["cdaprod-dev-data-1"]
    assert host["ansible_host"] == DEV["hosts"]["cdaprod-dev-data-1"]["private_ip"]
    # The rest is the same inventory: only how Ansible reaches the hosts differs.
    strip = {"ansible_connection", "ansible_aws_ssm_region", "ansible_aws_ssm_bucket_name"}
    assert {k: v for k, v in aws["vars"].items() if k not in strip} == {
        k: v
        for k, v in emulated["vars"].items()
        if not k.startswith("ansible_ssh")
        and k not in strip | {"ansible_user", "ansible_pipelining"}
    }


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        (["mystery"], "host cdaprod-dev-x-1 is in unknown group mystery: known groups are"),
        (["saas_standins"], "group saas_standins, which exists only in ENV=local"),
        ([], "host cdaprod-dev-x-1 has no group"),
    ],
)
def test_bad_groups_stop_with_one_line(groups, message):
    with pytest.raises(PlatformError, match=message):
        build_inventory(outputs(**{"cdaprod-dev-x-1": groups}), SSM)


def test_an_output_from_another_version_of_the_root_is_refused():
    incomplete = {k: v for k, v in DEV.items() if k != "secrets_id"}
    with pytest.raises(PlatformError, match="lacks secrets_id"):
        build_inventory(incomplete, SSM)


@pytest.mark.skipif(ANSIBLE_INVENTORY is None, reason="ansible-inventory is not installed")
def test_written_inventory_reads_as_ansible_reads_it(monkeypatch, tmp_path):
    monkeypatch.setattr(inventory_terraform, "inventory_dir", lambda env: tmp_path / env)
    path = inventory_terraform.write_inventory("dev", DEV, SSM)
    listed = json.loads(
        subprocess.run(
            [str(ANSIBLE_INVENTORY), "-i", str(path), "--list"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    assert listed["ingress"]["hosts"] == ["cdaprod-dev-master-1"]
    master = listed["_meta"]["hostvars"]["cdaprod-dev-master-1"]
    assert master["platform_env"] == "dev" and master["ansible_host"] == "10.10.8.5"


def test_a_worker_groups_instance_carries_what_its_own_play_had():
    """An instance that configured itself from the workers' bundle is listed with the same
    host variables its own play set, so the controller's play changes nothing on it."""
    found = outputs(**{"cdaprod-dev-master-1": ["airflow_master"]})
    found["hosts"]["worker-cpu-i-0abc"] = {
        "id": "i-0abc",
        "kind": "worker-cpu",
        "groups": ["airflow_worker", "worker_cpu"],
        "private_ip": "10.10.9.9",
        "instance_type": "c6i.xlarge",
        "gpu": False,
        "data_volume_id": None,
        "self_configured": True,
        "worker_group_name": "cdaprod-dev-worker-cpu",
        "lifecycle_hook_name": "cdaprod-dev-worker-cpu-drain",
        "queue": "cpu",
    }
    children = build_inventory(found, SSM)["all"]["children"]
    worker = children["worker_cpu"]["hosts"]["worker-cpu-i-0abc"]
    assert worker["platform_self_configured"] is True
    assert worker["platform_worker_group_name"] == "cdaprod-dev-worker-cpu"
    assert worker["platform_worker_lifecycle_hook"] == "cdaprod-dev-worker-cpu-drain"
    assert worker["platform_worker_queue"] == "cpu"
    master = children["airflow_master"]["hosts"]["cdaprod-dev-master-1"]
    assert "platform_self_configured" not in master


def test_the_worker_groups_are_listed_by_queue_for_the_scaler():
    found = outputs(**{"cdaprod-dev-master-1": ["airflow_master"]})
    found["worker_groups"] = {
        "worker-cpu": {
            "queue": "cpu", "autoscaling_group_name": "cdaprod-dev-worker-cpu",
            "lifecycle_hook_name": "cdaprod-dev-worker-cpu-drain", "min_size": 1,
            "max_size": 2, "desired_capacity": 1, "instance_types": ["c6i.xlarge"],
            "groups": ["airflow_worker", "worker_cpu"], "gpu": False,
        },
    }  # fmt: skip
    listed = build_inventory(found, SSM)["all"]["vars"]["platform_worker_groups"]
    assert listed == {
        "cpu": {"autoscaling_group": "cdaprod-dev-worker-cpu", "minimum": 1, "maximum": 2}
    }
    assert build_inventory(outputs(), SSM)["all"]["vars"]["platform_worker_groups"] == {}


def test_an_environments_own_settings_join_the_inventory(monkeypatch, tmp_path):
    settings = tmp_path / "terraform" / "environments" / "dev" / "platform.yml"
    settings.parent.mkdir(parents=True)
    settings.write_text("platform_social_schedule: ''\n", encoding="utf-8")
    monkeypatch.setattr(inventory_terraform, "REPO_ROOT", tmp_path)
    assert build_inventory(DEV, SSM)["all"]["vars"]["platform_social_schedule"] == ""
    settings.write_text("airflow_worker_concurrency: 8\n", encoding="utf-8")
    with pytest.raises(PlatformError, match="sets airflow_worker_concurrency: it holds platform"):
        build_inventory(DEV, SSM)
    (tmp_path / "ansible" / "group_vars" / "all").mkdir(parents=True)
    (tmp_path / "ansible" / "group_vars" / "all" / "platform.yml").write_text(
        "platform_social_schedule: '*/15 * * * *'\n", encoding="utf-8"
    )
    settings.write_text("platform_social_schedule: ''\n", encoding="utf-8")
    with pytest.raises(PlatformError, match="which ansible/group_vars/all also sets and would win"):
        build_inventory(DEV, SSM)


def test_no_environment_sets_what_group_vars_all_would_override():
    for env in ("dev", "stage", "prod", "emulated"):
        inventory_terraform.environment_settings(env)
