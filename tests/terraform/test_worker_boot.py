"""The worker's boot script (the launch template's user data), against emulated S3 and Auto
Scaling: it takes the published bundle only when its digest is the manifest's."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from platformctl import worker_bundle
from platformctl.paths import REPO_ROOT

BOOT_DIR = REPO_ROOT / "terraform" / "modules" / "compute" / "worker_boot"
CONFIG = {
    "environment": "emulated",
    "region": "us-east-1",
    "bundle_bucket": "bundles",
    "manifest_key": worker_bundle.MANIFEST_KEY,
    "secrets_id": "arn:workers",
    "autoscaling_group_name": "cdaprod-emulated-worker-cpu",
    "lifecycle_hook_name": "cdaprod-emulated-worker-cpu-drain",
    "queue": "cpu",
    "kind": "worker-cpu",
    "groups": ["airflow_worker", "worker_cpu"],
}


def _boot_module():
    spec = importlib.util.spec_from_file_location("worker_boot", BOOT_DIR / "worker_boot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


worker_boot = _boot_module()


def test_the_user_data_is_a_shell_script_within_ec2s_limit():
    template = (BOOT_DIR / "user_data.sh.tftpl").read_text(encoding="utf-8")
    rendered = template.replace("${config_json}", json.dumps(CONFIG)).replace(
        "${boot_script}", (BOOT_DIR / "worker_boot.py").read_text(encoding="utf-8")
    )
    assert "${" not in rendered.replace("$${", "")
    assert len(rendered.encode()) < 16384, "EC2 takes at most 16 KB of user data"
    subprocess.run(["sh", "-n"], input=rendered, text=True, check=True)


def test_the_instance_joins_its_kinds_groups_as_its_only_host():
    found = worker_boot.self_inventory(CONFIG, "i-0abc", "10.90.1.7", "c6i.xlarge")
    host = {"ansible_connection", "ansible_host", "platform_instance_id"}
    for group in CONFIG["groups"]:
        hosts = found["all"]["children"][group]["hosts"]
        assert list(hosts) == ["worker-cpu-i-0abc"]
        assert host <= set(hosts["worker-cpu-i-0abc"])
    variables = found["all"]["children"]["worker_cpu"]["hosts"]["worker-cpu-i-0abc"]
    assert variables["ansible_connection"] == "local"
    assert variables["platform_self_configured"] is True
    assert variables["platform_worker_lifecycle_hook"] == CONFIG["lifecycle_hook_name"]


@pytest.fixture
def emulated(tmp_path, monkeypatch):
    """A published bundle in emulated S3 and one instance of an Auto Scaling group."""
    with mock_aws():
        collections = tmp_path / "ansible_collections"
        for collection in worker_bundle.COLLECTIONS:
            (collections / collection).mkdir(parents=True)
            (collections / collection / "x.py").write_text("X = 1\n")
        wheelhouse = tmp_path / "wheelhouse"
        wheelhouse.mkdir()
        (wheelhouse / "0123abcd.tar").write_bytes(b"wheels")
        (wheelhouse / "hosts.tar").symlink_to("0123abcd.tar")
        monkeypatch.setattr(worker_bundle, "_collections_root", lambda: collections)
        monkeypatch.setattr(worker_bundle, "bootstrap_wheels", lambda: [])
        monkeypatch.setattr(worker_bundle, "WHEELHOUSE_DIR", wheelhouse)
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bundles")
        manifest = worker_bundle.publish(s3, "bundles", {"all": {"vars": {}, "children": {}}}, "x")
        autoscaling = boto3.client("autoscaling", region_name="us-east-1")
        image = boto3.client("ec2", region_name="us-east-1").describe_images()["Images"][0]
        autoscaling.create_launch_configuration(
            LaunchConfigurationName="lc", ImageId=image["ImageId"], InstanceType="t3.micro"
        )
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=CONFIG["autoscaling_group_name"],
            LaunchConfigurationName="lc",
            MinSize=1,
            MaxSize=1,
            DesiredCapacity=1,
            AvailabilityZones=["us-east-1a"],
        )
        instance = autoscaling.describe_auto_scaling_instances()["AutoScalingInstances"][0]
        yield s3, autoscaling, manifest, instance["InstanceId"]


def _health(autoscaling, instance_id: str) -> str:
    found = autoscaling.describe_auto_scaling_instances(InstanceIds=[instance_id])
    return found["AutoScalingInstances"][0]["HealthStatus"]


def test_the_bundle_is_fetched_when_its_digest_is_the_manifests(emulated, tmp_path):
    _s3, autoscaling, manifest, instance_id = emulated
    boot = worker_boot.Boot(CONFIG, instance_id)
    found = boot.manifest(wait_s=0)
    assert found["bundle_sha256"] == manifest.bundle_sha256
    dest = tmp_path / "bundle.tar.gz"
    boot.fetch(found["bundle_key"], found["bundle_sha256"], dest)
    assert worker_boot.sha256_of(dest) == manifest.bundle_sha256
    assert _health(autoscaling, instance_id) == "Healthy"


def test_a_bundle_that_fails_its_checksum_is_refused_and_the_instance_marked_unhealthy(
    emulated, tmp_path, capsys
):
    s3, autoscaling, manifest, instance_id = emulated
    s3.put_object(Bucket="bundles", Key=manifest.bundle_key, Body=b"not the bundle")
    boot = worker_boot.Boot(CONFIG, instance_id)
    dest = tmp_path / "bundle.tar.gz"
    with pytest.raises(SystemExit) as stopped:
        boot.fetch(manifest.bundle_key, manifest.bundle_sha256, dest)
    assert stopped.value.code == worker_boot.EXIT_CHECKSUM
    assert not dest.exists()
    assert _health(autoscaling, instance_id) == "Unhealthy"
    assert f"the manifest says {manifest.bundle_sha256}" in capsys.readouterr().out


def test_no_manifest_within_the_wait_is_an_error(emulated):
    s3, _autoscaling, _manifest, instance_id = emulated
    s3.delete_object(Bucket="bundles", Key=worker_bundle.MANIFEST_KEY)
    with pytest.raises(s3.exceptions.NoSuchKey):
        worker_boot.Boot(CONFIG, instance_id).manifest(wait_s=0)


def test_the_boot_reads_its_identity_from_the_environment_where_there_is_no_metadata(monkeypatch):
    monkeypatch.setenv("CDAPROD_INSTANCE_ID", "i-0abc")
    monkeypatch.setenv("CDAPROD_PRIVATE_IP", "10.90.1.7")
    monkeypatch.setenv("CDAPROD_INSTANCE_TYPE", "c6i.xlarge")
    assert worker_boot.identity() == ("i-0abc", "10.90.1.7", "c6i.xlarge")


def test_its_help_needs_no_boto3():
    done = subprocess.run(
        ["python3", str(BOOT_DIR / "worker_boot.py"), "--help"],
        capture_output=True, text=True, check=False, cwd=Path("/"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "configures itself" in done.stdout
