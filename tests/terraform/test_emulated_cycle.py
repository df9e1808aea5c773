"""The emulated environment, for real: terraform applies the full platform against a moto
server on 127.0.0.1, re-plans clean, yields the Ansible inventories, and destroys to nothing.
Also `make bootstrap` (twice) against the same moto server.

The cycle runs in exactly one place: `make test-terraform`, which sets
PLATFORM_TF_EMULATED=1. Any other pytest run (e.g. the repository-wide one in `make test`)
skips it with that reason. It starts and stops its own moto server on a free port.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import yaml

from platformctl import terraform
from platformctl.terraform_bootstrap import bootstrap
from platformctl.terraform_moto import MotoServer

ROOT = Path(__file__).resolve().parents[2]
GROUPS = ("postgres", "weaviate", "airflow_master", "ingress", "worker_cpu", "worker_gpu")
EMULATED_HOSTS = 7  # emulated.tfvars: 1 + 1 + 1 + 2 cpu workers + 1 gpu worker + 1 ingress

_VENV_PATH = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
ANSIBLE_INVENTORY = shutil.which("ansible-inventory", path=_VENV_PATH)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("PLATFORM_TF_EMULATED") != "1",
        reason="the emulated AWS cycle runs once, under `make test-terraform` "
        "(set PLATFORM_TF_EMULATED=1 to run it here)",
    ),
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed"),
    pytest.mark.skipif(shutil.which("moto_server") is None, reason="moto_server is not installed"),
    pytest.mark.skipif(ANSIBLE_INVENTORY is None, reason="ansible-inventory is not installed"),
]


def _aws(service: str, url: str):
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _inventory(source: Path, env: dict[str, str] | None = None) -> dict:
    out = subprocess.run(
        [str(ANSIBLE_INVENTORY), "-i", str(source), "--list"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    ).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    state = terraform.layout("emulated").local_state
    assert state is not None
    state.unlink(missing_ok=True)  # a leftover state from a dead moto would not match
    with MotoServer(log_path=log) as url:
        old = os.environ.get("MOTO_URL")
        os.environ["MOTO_URL"] = url
        try:
            yield url
        finally:
            if old is None:
                os.environ.pop("MOTO_URL", None)
            else:
                os.environ["MOTO_URL"] = old
            state.unlink(missing_ok=True)
            Path(f"{state}.backup").unlink(missing_ok=True)


@pytest.fixture(scope="module")
def applied(moto: str) -> dict[str, float]:
    started = time.monotonic()
    assert terraform.run("apply", "emulated") == 0
    return {"apply_s": time.monotonic() - started}


def test_apply_creates_every_host_group(moto: str, applied: dict[str, float]) -> None:
    instances = [
        i
        for r in _aws("ec2", moto).describe_instances()["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] == "running"
    ]
    assert len(instances) == EMULATED_HOSTS
    for inst in instances:
        tags = {t["Key"]: t["Value"] for t in inst["Tags"]}
        assert tags["Environment"] == "emulated" and tags["Project"] == "cdaprod"
        assert tags["Role"] in GROUPS
        assert inst["MetadataOptions"]["HttpTokens"] == "required"
        assert "PublicIpAddress" not in inst or not inst["PublicIpAddress"]
        if tags["Role"] == "worker_gpu":
            assert inst["InstanceType"].startswith(("g5.", "g6."))


def test_second_plan_has_no_changes(moto: str, applied: dict[str, float]) -> None:
    tf = terraform.terraform_for("emulated")
    terraform.init(tf, "emulated")
    rc, _out, _err = tf.plan(capture_output=True, input=False)
    assert rc == 0, f"re-plan after apply is not clean:\n{_out[-4000:]}"
    # The environment's working data lives in its own directory, not in the shared root.
    paths = terraform.layout("emulated")
    assert (paths.data_dir / "terraform.tfstate").is_file()  # the data dir's backend record
    assert paths.local_state is not None and paths.local_state.is_file()
    assert not (paths.root / "terraform.tfstate").exists()


def test_outputs_inventory_has_every_group(applied: dict[str, float]) -> None:
    path = ROOT / "ansible" / "inventories" / "emulated" / "hosts.yml"
    assert path.is_file()
    listed = _inventory(path)
    assert set(listed["airflow_worker"]["children"]) == {"worker_cpu", "worker_gpu"}
    total = 0
    for group in GROUPS:
        assert listed[group]["hosts"], f"{group} is empty"
        total += len(listed[group]["hosts"])
    assert total == EMULATED_HOSTS


def test_aws_ec2_inventory_keys_on_role(
    moto: str, applied: dict[str, float], tmp_path: Path
) -> None:
    config = yaml.safe_load((ROOT / "ansible" / "inventories" / "dev" / "aws_ec2.yml").read_text())
    config["filters"]["tag:Environment"] = "emulated"
    config["endpoint_url"] = moto
    source = tmp_path / "emulated.aws_ec2.yml"
    source.write_text(yaml.safe_dump(config))
    listed = _inventory(
        source,
        {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"},
    )
    for group in GROUPS:
        assert listed.get(group, {}).get("hosts"), f"aws_ec2 inventory has no {group} hosts"
    workers = set(listed["airflow_worker"]["hosts"])
    assert workers == set(listed["worker_cpu"]["hosts"]) | set(listed["worker_gpu"]["hosts"])
    from_outputs = _inventory(ROOT / "ansible" / "inventories" / "emulated" / "hosts.yml")
    assert set(listed["postgres"]["hosts"]) == set(from_outputs["postgres"]["hosts"])


def test_bootstrap_twice_second_changes_nothing(
    moto: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = bootstrap("emulated")
    assert "created bucket" in first
    second = bootstrap("emulated")
    assert second == []
    assert "nothing changed" in capsys.readouterr().out
    s3 = _aws("s3", moto)
    bucket = "cdaprod-emulated-tfstate-123456789012"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())


def test_destroy_leaves_nothing(moto: str, applied: dict[str, float]) -> None:
    assert terraform.run("destroy", "emulated") == 0
    ec2 = _aws("ec2", moto)
    running = [
        i
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] not in ("terminated", "shutting-down")
    ]
    assert running == []
    vpcs = [v for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
    assert vpcs == []
    buckets = [b["Name"] for b in _aws("s3", moto).list_buckets()["Buckets"]]
    assert [b for b in buckets if not b.endswith("-tfstate-123456789012")] == []
    assert _aws("elbv2", moto).describe_load_balancers()["LoadBalancers"] == []
    assert _aws("route53", moto).list_hosted_zones()["HostedZones"] == []
    state_file = terraform.layout("emulated").local_state
    assert state_file is not None
    state = json.loads(state_file.read_text())
    assert state["resources"] == []
    assert not (ROOT / "ansible" / "inventories" / "emulated" / "hosts.yml").exists()
