"""Emulated AWS at the Terraform level, once the play has run on it: what the apply made in
moto (hosts, worker groups, buckets, queues, the secret, least-privilege roles), the
`inventory` output, both inventories Ansible reads (the one written from the outputs and the
aws_ec2 plugin's), a re-plan with no changes, and `make bootstrap` twice. (The scenario's
destroy step checks that Terraform's destroy leaves nothing in moto.)

The apply is the scenario's own (create.yml: `platformctl provision --env emulated`), in the
state directory molecule.yml names. These tests run after test_emulated.py and before
test_worker_groups.py, which changes the groups.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from emulated_aws import INVENTORY, MOTO, aws

from platformctl import terraform
from platformctl.terraform_bootstrap import bootstrap

ROOT = Path(__file__).resolve().parents[3]
# Terraform's names (the tfvars' environment), not the stand-in containers' prefix.
PREFIX = "cdaprod-emulated"
# emulated.tfvars: lean, one host per fixed kind, a worker group per queue, no weaviate.
KINDS = {
    "db": ["postgres"],
    "master": [
        "airflow_master",
        "video_archive",
        "archive_app",
        "social_gateway",
        "ingress",
        "monitoring",
    ],
    "worker-cpu": ["airflow_worker", "worker_cpu"],
    "worker-gpu": ["airflow_worker", "worker_gpu"],
}
# The worker kinds are Auto Scaling groups (one per queue): cpu starts with one instance, gpu
# with none. Their instances are not in `hosts`; platformctl finds them by their group's tag.
WORKER_QUEUES = {"worker-cpu": "cpu", "worker-gpu": "gpu"}
WORKER_MIN = {"worker-cpu": 1, "worker-gpu": 0}
HOSTS = {
    f"{PREFIX}-{kind}-1": groups for kind, groups in KINDS.items() if kind not in WORKER_QUEUES
}
WORKER_GROUP_KEYS = {
    "queue",
    "autoscaling_group_name",
    "lifecycle_hook_name",
    "launch_template_id",
    "min_size",
    "max_size",
    "desired_capacity",
    "instance_types",
    "groups",
    "gpu",
}
# Groups on another group's security group (terraform/modules/platform: group_security_group).
SECURITY_GROUP_OF = {
    "worker_cpu": "airflow_worker",
    "worker_gpu": "airflow_worker",
    "archive_app": "video_archive",
}
INVENTORY_KEYS = {
    "environment",
    "region",
    "domain",
    "private_cidr",
    "buckets",
    "ingest_queue_url",
    "discovery_tags",
    "ingest_dead_letter_queue_url",
    "secrets_id",
    "ssm_transfer_bucket",
    "public_airflow_ui",
    "hosts",
    "worker_groups",
    "bundle_manifest_key",
    "worker_secrets_id",
}
HOST_KEYS = {
    "id",
    "kind",
    "groups",
    "private_ip",
    "availability_zone",
    "instance_type",
    "gpu",
    "data_volume_id",
}
# This copy's own VPC range (molecule.yml), over the tfvars' 10.90.0.0/16.
VPC_CIDR = os.environ.get("EMULATED_VPC_CIDR", "10.91.0.0/16")

_VENV_PATH = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
ANSIBLE_INVENTORY = shutil.which("ansible-inventory", path=_VENV_PATH)


def _inventory(source: Path, env: dict[str, str] | None = None) -> dict:
    out = subprocess.run(
        [str(ANSIBLE_INVENTORY), "-i", str(source), "--list"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    ).stdout
    return json.loads(out)


def _running() -> list[dict]:
    return [
        i
        for r in aws("ec2").describe_instances()["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] == "running"
    ]


@pytest.fixture(scope="module")
def tf() -> Any:
    """The scenario's Terraform: its state (PLATFORM_STATE_DIR), its moto, its VPC range."""
    handle = terraform.terraform_for("emulated", MOTO)
    terraform.init(handle, "emulated")
    return handle


@pytest.fixture(scope="module")
def outputs(tf: Any) -> dict[str, Any]:
    return terraform.outputs(tf)


def test_apply_creates_every_host_with_its_groups(outputs: dict[str, Any]) -> None:
    instances = _running()
    workers = [i for i in instances if any(t["Key"] == "cdaprod:worker_queue" for t in i["Tags"])]
    fixed = [i for i in instances if i not in workers]
    assert len(fixed) == len(HOSTS)
    assert len(workers) == sum(WORKER_MIN.values())
    ec2 = aws("ec2")
    sg_names = {
        g["GroupId"]: g["GroupName"] for g in ec2.describe_security_groups()["SecurityGroups"]
    }
    # A worker group's instance carries the tags a fixed host does (platformctl and Prometheus
    # select by them) and its queue. moto applies neither the launch template's instance
    # profile nor its metadata options to the instance: those are checked on the template.
    for inst in workers:
        tags = {t["Key"]: t["Value"] for t in inst["Tags"]}
        kind = tags["Kind"]
        assert tags["Environment"] == "emulated" and tags["Project"] == "cdaprod"
        assert tags["cdaprod:worker_queue"] == WORKER_QUEUES[kind]
        assert (
            tags["Groups"].split() == KINDS[kind]
            and tags["Gpu"] == str(kind == "worker-gpu").lower()
        )
        assert (
            tags["Name"]
            == tags["aws:autoscaling:groupName"]
            == f"{PREFIX}-worker-{WORKER_QUEUES[kind]}"
        )
        assert {sg_names[g["GroupId"]] for g in inst["SecurityGroups"]} == {
            f"{PREFIX}-airflow_worker"
        }
        template = ec2.describe_launch_template_versions(
            LaunchTemplateId=tags["aws:ec2launchtemplate:id"], Versions=["$Latest"]
        )["LaunchTemplateVersions"][0]["LaunchTemplateData"]
        assert template["MetadataOptions"]["HttpTokens"] == "required"
        assert template["IamInstanceProfile"]["Name"] == f"{PREFIX}-{kind}"
        assert all(m["Ebs"]["Encrypted"] for m in template["BlockDeviceMappings"])
    for inst in fixed:
        tags = {t["Key"]: t["Value"] for t in inst["Tags"]}
        assert tags["Environment"] == "emulated" and tags["Project"] == "cdaprod"
        assert "Role" not in tags
        name = tags["Name"]
        assert tags["Groups"].split() == HOSTS[name], name
        assert name == f"{PREFIX}-{tags['Kind']}-1"
        assert inst["MetadataOptions"]["HttpTokens"] == "required"
        assert "PublicIpAddress" not in inst or not inst["PublicIpAddress"]
        if "worker_gpu" in HOSTS[name]:
            assert inst["InstanceType"].startswith(("g5.", "g6."))
        # A host gets the security groups of all its groups, each once (workers:
        # airflow_worker; the archive app: video_archive's).
        expected = {f"{PREFIX}-{SECURITY_GROUP_OF.get(g, g)}" for g in HOSTS[name]}
        assert {sg_names[g["GroupId"]] for g in inst["SecurityGroups"]} == expected, name
        # emulated.tfvars turns termination protection off (throw-away hosts).
        protection = ec2.describe_instance_attribute(
            InstanceId=inst["InstanceId"], Attribute="disableApiTermination"
        )["DisableApiTermination"]["Value"]
        assert protection is False


def test_a_plan_after_the_play_has_no_changes(tf: Any) -> None:
    """`make plan ENV=emulated` once the platform is up: the play, the secrets platformctl
    filled and the workers' boot changed nothing Terraform manages."""
    # python-terraform's plan() passes -detailed-exitcode: 0 means no changes, 2 changes.
    rc, out, _err = tf.plan(capture_output=True, input=False)
    assert rc == 0, f"the re-plan is not clean (exit {rc}):\n{out[-4000:]}"
    # The environment's working data lives in its own directory, not in the shared root.
    paths = terraform.layout("emulated")
    assert (paths.data_dir / "terraform.tfstate").is_file()  # the data dir's backend record
    assert paths.local_state is not None and paths.local_state.is_file()
    assert not (paths.root / "terraform.tfstate").exists()


def test_inventory_output_describes_what_was_built(outputs: dict[str, Any]) -> None:
    inventory = outputs["inventory"]
    print(f"\ninventory output (emulated apply):\n{json.dumps(inventory, indent=2)}")
    assert set(inventory) == INVENTORY_KEYS
    assert inventory["environment"] == "emulated" and inventory["region"] == "us-east-1"
    assert inventory["domain"] == "emulated.cdaprod.dev"
    assert inventory["discovery_tags"] == {"Project": "cdaprod", "Environment": "emulated"}
    assert inventory["private_cidr"] == VPC_CIDR
    assert inventory["public_airflow_ui"] is False
    assert inventory["hosts"] == outputs["hosts"]

    # Worker groups: one per worker kind, named after its queue, as moto holds it.
    groups = inventory["worker_groups"]
    assert set(groups) == set(WORKER_QUEUES)
    autoscaling = aws("autoscaling")
    for kind, group in groups.items():
        assert set(group) == WORKER_GROUP_KEYS, kind
        assert group["queue"] == WORKER_QUEUES[kind] and group["groups"] == KINDS[kind]
        assert group["autoscaling_group_name"] == f"{PREFIX}-worker-{group['queue']}"
        found = autoscaling.describe_auto_scaling_groups(
            AutoScalingGroupNames=[group["autoscaling_group_name"]]
        )["AutoScalingGroups"][0]
        assert found["MinSize"] == group["min_size"] == WORKER_MIN[kind]
        assert found["MaxSize"] == group["max_size"]
        assert found["LaunchTemplate"]["LaunchTemplateId"] == group["launch_template_id"]
        hooks = autoscaling.describe_lifecycle_hooks(
            AutoScalingGroupName=group["autoscaling_group_name"]
        )["LifecycleHooks"]
        assert [h["LifecycleHookName"] for h in hooks] == [group["lifecycle_hook_name"]]
    assert inventory["bundle_manifest_key"] == "worker/current.json"

    # Hosts: exactly the tfvars' fixed hosts, each with kind, groups, address, volume.
    assert set(inventory["hosts"]) == set(HOSTS)
    volumes = {v["VolumeId"]: v for v in aws("ec2").describe_volumes()["Volumes"]}
    vpc = ipaddress.ip_network(inventory["private_cidr"])
    for name, host in inventory["hosts"].items():
        assert set(host) == HOST_KEYS, name
        assert host["groups"] == HOSTS[name] and name == f"{PREFIX}-{host['kind']}-1"
        assert ipaddress.ip_address(host["private_ip"]) in vpc
        assert host["gpu"] == ("worker_gpu" in host["groups"])
        if host["kind"] == "master":
            assert host["data_volume_id"] is None
        else:
            volume = volumes[host["data_volume_id"]]
            assert [a["InstanceId"] for a in volume["Attachments"]] == [host["id"]]

    # Buckets, queues, secret: what the inventory names exists, shaped as promised.
    s3 = aws("s3")
    assert set(inventory["buckets"]) == {
        "raw",
        "derivatives",
        "notebooks",
        "backups",
        "bundles",
        "logs",
        "transfer",
    }
    existing = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert set(inventory["buckets"].values()) <= existing
    transfer = inventory["ssm_transfer_bucket"]
    assert transfer == inventory["buckets"]["transfer"] == f"{PREFIX}-ssm-transfer"
    rules = s3.get_bucket_lifecycle_configuration(Bucket=transfer)["Rules"]
    assert [r["Expiration"]["Days"] for r in rules] == [1]
    assert s3.get_bucket_versioning(Bucket=transfer).get("Status") is None
    assert all(
        s3.get_public_access_block(Bucket=transfer)["PublicAccessBlockConfiguration"].values()
    )
    sse = s3.get_bucket_encryption(Bucket=transfer)["ServerSideEncryptionConfiguration"]
    assert sse["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"

    sqs = aws("sqs")
    dlq = inventory["ingest_dead_letter_queue_url"]
    dlq_attrs = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["All"])["Attributes"]
    assert dlq_attrs["MessageRetentionPeriod"] == "1209600"
    assert dlq_attrs.get("KmsMasterKeyId")
    ingest = sqs.get_queue_attributes(
        QueueUrl=inventory["ingest_queue_url"], AttributeNames=["All"]
    )["Attributes"]
    redrive = json.loads(ingest["RedrivePolicy"])
    assert redrive == {"deadLetterTargetArn": dlq_attrs["QueueArn"], "maxReceiveCount": 5}
    assert ingest["KmsMasterKeyId"] == dlq_attrs["KmsMasterKeyId"]

    secrets = aws("secretsmanager")
    secret = secrets.describe_secret(SecretId=inventory["secrets_id"])
    assert secret["Name"] == f"{PREFIX}/platform"
    assert secret["KmsKeyId"] == dlq_attrs["KmsMasterKeyId"]  # the storage module's key
    # The value is platformctl's (it filled the keys with boto3), never Terraform's: the
    # secret has one, and the state holds no version of it.
    assert secrets.list_secret_version_ids(SecretId=inventory["secrets_id"])["Versions"]
    state = json.loads(terraform.layout("emulated").local_state.read_text())  # type: ignore[union-attr]
    assert not [r for r in state["resources"] if r["type"] == "aws_secretsmanager_secret_version"]


def test_least_privilege_roles_per_host_kind(outputs: dict[str, Any]) -> None:
    iam = aws("iam")
    roles = {r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(PREFIX)}
    assert roles == {f"{PREFIX}-{kind}" for kind in KINDS}
    # Only the cpu workers consume the ingest queue (the SQS sensor runs on the cpu queue).
    consumers = {
        kind
        for kind in KINDS
        if "sqs-consume" in iam.list_role_policies(RoleName=f"{PREFIX}-{kind}")["PolicyNames"]
    }
    assert consumers == {"worker-cpu"}
    # Workers read their own secret and answer their own group's hook; the master scales them.
    for kind in WORKER_QUEUES:
        assert "worker-boot" in iam.list_role_policies(RoleName=f"{PREFIX}-{kind}")["PolicyNames"]
    scalers = {
        kind
        for kind in KINDS
        if "worker-scaler" in iam.list_role_policies(RoleName=f"{PREFIX}-{kind}")["PolicyNames"]
    }
    assert scalers == {"master"}
    master = iam.get_role_policy(RoleName=f"{PREFIX}-master", PolicyName="s3-access")[
        "PolicyDocument"
    ]
    by_sid = {s["Sid"]: s for s in master["Statement"]}
    buckets = outputs["inventory"]["buckets"]

    def arns(sid: str) -> set[str]:
        res = by_sid[sid]["Resource"]
        return {res} if isinstance(res, str) else set(res)

    assert arns("ReadObjects") == {
        f"arn:aws:s3:::{buckets['raw']}/*",
        f"arn:aws:s3:::{buckets['derivatives']}/*",
    }
    assert arns("WriteObjects") == {f"arn:aws:s3:::{buckets['notebooks']}/*"}


def test_ansible_reads_the_inventory_written_from_the_outputs(outputs: dict[str, Any]) -> None:
    """The inventory platformctl wrote from the `inventory` output, as Ansible lists it."""
    listed = _inventory(INVENTORY)
    for name, groups in HOSTS.items():
        for group in groups:
            assert name in listed[group]["hosts"], f"{name} is not in {group}"
    assert "weaviate" not in listed or not listed["weaviate"].get("hosts")
    hostvars = listed["_meta"]["hostvars"]
    assert {hostvars[name]["ansible_host"] for name in HOSTS} == {
        h["private_ip"] for h in outputs["inventory"]["hosts"].values()
    }


def test_aws_ec2_inventory_groups_hosts_by_their_groups_tag(
    outputs: dict[str, Any], tmp_path: Path
) -> None:
    config = yaml.safe_load((ROOT / "ansible" / "inventories" / "dev" / "aws_ec2.yml").read_text())
    config["filters"]["tag:Environment"] = "emulated"
    config["endpoint_url"] = MOTO
    source = tmp_path / "emulated.aws_ec2.yml"
    source.write_text(yaml.safe_dump(config))
    listed = _inventory(
        source,
        {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"},
    )
    # Each host as <Kind>-<instance id>: the worker groups' instances share a Name tag.
    for kind, groups in KINDS.items():
        if kind in WORKER_QUEUES:
            continue
        listed_as = f"{kind}-{outputs['hosts'][f'{PREFIX}-{kind}-1']['id']}"
        for group in groups:
            assert listed_as in listed.get(group, {}).get("hosts", []), (listed_as, group)
    # The cpu group's instance, found by the same tags.
    for group in KINDS["worker-cpu"]:
        members = listed.get(group, {}).get("hosts", [])
        assert any(m.startswith("worker-cpu-i-") for m in members), (group, members)


def test_bootstrap_twice_second_changes_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTO_URL", MOTO)
    first = bootstrap("emulated")
    assert "created bucket" in first
    second = bootstrap("emulated")
    assert second == []
    assert "nothing changed" in capsys.readouterr().out
    s3 = aws("s3")
    bucket = "cdaprod-emulated-tfstate-123456789012"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
