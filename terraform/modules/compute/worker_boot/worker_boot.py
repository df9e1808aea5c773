"""A new worker instance configures itself from the published bundle (user data runs this once).

1. Wait for the manifest the last `make apply` published (worker/current.json).
2. Fetch the bundle and the hosts' wheelhouse it names; refuse either when its SHA-256 is not
   the manifest's, and mark this instance unhealthy so that its group replaces it.
3. Install Ansible from the bundle's own wheels (Python's standard library and pip's wheel;
   nothing from the network).
4. Run the platform's playbook against this host only, as a member of its kind's groups. The
   secrets come from the workers' Secrets Manager secret, read with the instance's role.

Every step logs one line; the exit status says which step failed. Needs boto3 (a baked image
has it in /opt/cdaprod/venv; the user data installs python3-boto3 otherwise).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

BUNDLES = Path("/opt/cdaprod/bundles")
DONE = Path("/var/lib/cdaprod/worker-boot.json")
IMDS = "http://169.254.169.254/latest"
EXIT_CHECKSUM, EXIT_PLAY, EXIT_MANIFEST = 3, 4, 5


def log(message: str) -> None:
    print(f"worker-boot: {message}", flush=True)


def imds(path: str) -> str:
    """One IMDSv2 read (a session token first: the launch template requires tokens)."""
    put = urllib.request.Request(  # noqa: S310 - the fixed link-local IMDS address
        f"{IMDS}/api/token",
        method="PUT",
        headers={"X-aws-ec2-metadata-token-ttl-seconds": "300"},
    )
    with urllib.request.urlopen(put, timeout=5) as answer:  # noqa: S310 - link-local IMDS
        token = answer.read().decode()
    get = urllib.request.Request(  # noqa: S310 - the fixed link-local IMDS address
        f"{IMDS}/meta-data/{path}", headers={"X-aws-ec2-metadata-token": token}
    )
    with urllib.request.urlopen(get, timeout=5) as answer:  # noqa: S310 - link-local IMDS
        return answer.read().decode().strip()


def identity() -> tuple[str, str, str]:
    """Instance id, private address, instance type: the metadata service's, or the
    environment's where there is none (emulated AWS hands them over as cloud-init would)."""
    if os.environ.get("CDAPROD_INSTANCE_ID"):
        return (
            os.environ["CDAPROD_INSTANCE_ID"],
            os.environ["CDAPROD_PRIVATE_IP"],
            os.environ.get("CDAPROD_INSTANCE_TYPE", ""),
        )
    return imds("instance-id"), imds("local-ipv4"), imds("instance-type")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Boot:
    def __init__(self, config: dict, instance_id: str) -> None:
        import boto3  # only here: --help works without it

        self.config = config
        self.instance_id = instance_id
        self.s3 = boto3.client("s3", region_name=config["region"])
        self.autoscaling = boto3.client("autoscaling", region_name=config["region"])

    def manifest(self, wait_s: int) -> dict:
        """The published manifest; a first apply publishes it after the group starts its
        instances, so wait for it."""
        deadline = time.monotonic() + wait_s
        while True:
            try:
                answer = self.s3.get_object(
                    Bucket=self.config["bundle_bucket"], Key=self.config["manifest_key"]
                )
                return json.loads(answer["Body"].read())
            except self.s3.exceptions.NoSuchKey:
                if time.monotonic() > deadline:
                    raise
                log(
                    f"no manifest at s3://{self.config['bundle_bucket']}/"
                    f"{self.config['manifest_key']} yet; waiting"
                )
                time.sleep(10)

    def fetch(self, key: str, sha256: str, dest: Path) -> None:
        """Download `key` to `dest`; a file whose digest is not `sha256` is refused."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists() and sha256_of(dest) == sha256:
            log(f"have {key} already")
            return
        started = time.monotonic()
        # One streamed GET, digested as it is written.
        answer = self.s3.get_object(Bucket=self.config["bundle_bucket"], Key=key)
        digest = hashlib.sha256()
        with dest.open("wb") as handle:
            for block in iter(lambda: answer["Body"].read(1 << 20), b""):
                digest.update(block)
                handle.write(block)
        found = digest.hexdigest()
        if found != sha256:
            dest.unlink()
            self.unhealthy(f"{key} has SHA-256 {found}, the manifest says {sha256}")
            raise SystemExit(EXIT_CHECKSUM)
        log(
            f"fetched {key} ({dest.stat().st_size // 1_000_000} MB, "
            f"{time.monotonic() - started:.0f} s, checksum matches)"
        )

    def unhealthy(self, reason: str) -> None:
        log(f"refusing: {reason}; marking {self.instance_id} unhealthy")
        try:
            self.autoscaling.set_instance_health(
                InstanceId=self.instance_id,
                HealthStatus="Unhealthy",
                ShouldRespectGracePeriod=False,
            )
        except Exception as error:  # the refusal stands either way
            log(f"could not mark the instance unhealthy: {error}")


def install_ansible(bundle: Path, target: Path) -> None:
    """ansible-core and the libraries the play's controller side needs, from the bundle's
    wheels, with pip run from its own wheel (Debian's python3 has no pip or venv)."""
    if (target / "bin" / "ansible-playbook").exists():
        return
    wheels = bundle / "bootstrap" / "wheels"
    pip = next(wheels.glob("pip-*.whl"))
    requirements = bundle / "bootstrap" / "requirements.txt"
    subprocess.run(
        [
            sys.executable,
            f"{pip}/pip",
            "install",
            "--quiet",
            "--no-index",
            "--no-deps",
            "--disable-pip-version-check",
            "--root-user-action=ignore",
            "--find-links",
            str(wheels),
            "--target",
            str(target),
            "--requirement",
            str(requirements),
        ],
        check=True,
    )
    log(f"installed Ansible into {target}")


def self_inventory(config: dict, instance_id: str, address: str, instance_type: str) -> dict:
    """This instance as the one host of its kind's groups, reached without SSH."""
    name = f"{config['kind']}-{instance_id}"
    host = {
        "ansible_connection": "local",
        "ansible_host": address,
        "ansible_python_interpreter": "/usr/bin/python3",
        "platform_instance_id": instance_id,
        "platform_instance_type": instance_type,
        "platform_gpu": config["queue"] == "gpu",
        "platform_data_volume_id": "",
        "platform_self_configured": True,
        "platform_worker_group_name": config["autoscaling_group_name"],
        "platform_worker_lifecycle_hook": config["lifecycle_hook_name"],
        "platform_worker_queue": config["queue"],
    }
    return {"all": {"children": {group: {"hosts": {name: host}} for group in config["groups"]}}}


def run_play(bundle: Path, target: Path, inventory: Path, host: str) -> int:
    environment = {
        **os.environ,
        "PYTHONPATH": str(target),
        "ANSIBLE_CONFIG": str(bundle / "ansible" / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(bundle / "bootstrap" / "collections"),
        "ANSIBLE_FORCE_COLOR": "0",
        # The play's output is the boot log; modules need not log each call to the journal too.
        "ANSIBLE_NO_TARGET_SYSLOG": "True",
        "PLATFORM_REPOSITORY_DIR": str(bundle),
    }
    command = [
        sys.executable,
        str(target / "bin" / "ansible-playbook"),
        "-i",
        str(bundle / "inventory" / "hosts.yml"),
        "-i",
        str(inventory),
        "--limit",
        host,
        str(bundle / "ansible" / "playbook.yml"),
    ]
    log(f"running the playbook for {host}")
    return subprocess.run(command, env=environment, cwd=bundle, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--manifest-wait-s", type=int, default=1800)
    args = parser.parse_args()
    config = json.loads(args.config.read_text(encoding="utf-8"))
    instance_id, address, instance_type = identity()
    log(
        f"{instance_id} ({address}) joins {config['autoscaling_group_name']}, "
        f"queue {config['queue']}"
    )
    boot = Boot(config, instance_id)
    try:
        manifest = boot.manifest(args.manifest_wait_s)
    except Exception as error:  # one line, then the exit status
        log(f"no manifest: {error}")
        return EXIT_MANIFEST
    bundle = BUNDLES / manifest["version"]
    archive = BUNDLES / f"{manifest['version']}.tar.gz"
    boot.fetch(manifest["bundle_key"], manifest["bundle_sha256"], archive)
    if not (bundle / "manifest.json").exists():
        shutil.rmtree(bundle, ignore_errors=True)
        with tarfile.open(archive) as tar:
            # The data filter where this Python has it; the archive's digest is checked.
            if hasattr(tarfile, "data_filter"):
                tar.extractall(bundle, filter="data")
            else:
                tar.extractall(bundle)  # noqa: S202
    # Named as on the controller: the roles take the wheelhouse's id from the link's target.
    wheelhouse = bundle / ".cache" / "wheelhouse"
    boot.fetch(
        manifest["wheelhouse_key"],
        manifest["wheelhouse_sha256"],
        wheelhouse / f"{manifest['wheelhouse_id']}.tar",
    )
    (wheelhouse / "hosts.tar").unlink(missing_ok=True)
    (wheelhouse / "hosts.tar").symlink_to(f"{manifest['wheelhouse_id']}.tar")
    target = Path("/opt/cdaprod/ansible") / manifest["version"]
    install_ansible(bundle, target)
    inventory = bundle / "inventory" / "self.yml"
    inventory.write_text(
        json.dumps(self_inventory(config, instance_id, address, instance_type)),
        encoding="utf-8",
    )
    host = f"{config['kind']}-{instance_id}"
    started = time.monotonic()
    status = run_play(bundle, target, inventory, host)
    if status != 0:
        boot.unhealthy(f"the playbook failed (exit {status})")
        return EXIT_PLAY
    DONE.parent.mkdir(parents=True, exist_ok=True)
    DONE.write_text(
        json.dumps({"version": manifest["version"], "host": host, "instance_id": instance_id}),
        encoding="utf-8",
    )
    log(f"configured from bundle {manifest['version']} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
