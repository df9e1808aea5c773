"""The workers' bundle: what a new worker instance configures itself from, with no controller.

`make apply` publishes it after the play (cloud environments with worker groups):
- `wheelhouse/<id>.tar`: the hosts' wheelhouse, uploaded once per lock (its id is the lock's);
- `worker/bundle-<version>.tar.gz`: the playbook, roles and group variables, the DAGs,
  plugins and notebooks the roles install, the project's wheel, the inventory of the fixed
  hosts and the platform's variables (no secrets, no connection keys), and Ansible itself
  (ansible-core and its libraries as wheels, the collections the roles use). The version is
  the archive's own SHA-256, and the archive is byte-for-byte reproducible, so publishing an
  unchanged bundle uploads nothing;
- `worker/current.json`: the manifest naming both with their SHA-256 digests, which the
  instance's boot script (terraform/modules/compute/worker_boot/) checks before using either.

Secrets are not in the bundle: workers read the workers' secret (only the keys the worker play
uses, WORKER_SECRET_KEYS) from Secrets Manager with their instance role.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platformctl.errors import PlatformError
from platformctl.paths import REPO_ROOT

MANIFEST_KEY = "worker/current.json"
WHEELHOUSE_DIR = REPO_ROOT / ".cache" / "wheelhouse"
BOOTSTRAP_WHEELS = REPO_ROOT / ".cache" / "worker-bundle" / "wheels"
CONTROLLER_LOCK = REPO_ROOT / "requirements" / "dev.lock"

# What the play's controller side imports on the instance: ansible-core and its libraries,
# boto3 for the Secrets Manager lookup, cryptography for community.crypto. Versions and
# hashes are the controller's lock's, so the instance runs the Ansible the controller runs.
BOOTSTRAP_PACKAGES = (
    "ansible-core", "resolvelib", "jinja2", "markupsafe", "pyyaml", "packaging",
    "cryptography", "cffi", "pycparser", "boto3", "botocore", "s3transfer", "jmespath",
    "urllib3", "python-dateutil", "six",
)  # fmt: skip
# pip runs from its own wheel on the instance (Debian's python3 has neither pip nor venv).
INSTALLER = "pip"
# The collections the roles use (their FQCNs), copied from the controller's installation.
COLLECTIONS = (
    "amazon/aws", "ansible/posix", "community/crypto", "community/general",
    "community/postgresql",
)  # fmt: skip
# The repository paths the worker play reads (group_vars/all/repository.yml).
REPOSITORY_PATHS = (
    "ansible/ansible.cfg", "ansible/playbook.yml", "ansible/group_vars", "ansible/roles",
    "airflow/dags", "airflow/plugins", "papermill/notebooks", "papermill/execute_notebooks.py",
    ".cache/wheelhouse/project",
)  # fmt: skip
# The platform secrets the worker play reads (group_vars/airflow_worker.yml and all/): the
# workers' secret holds these only. The CA's certificate is kept, its key is not.
WORKER_SECRET_KEYS = (
    "redis_password", "airflow_secret_key", "airflow_fernet_key", "node_exporter_password",
    "postgres_notebook_smoke_password", "postgres_archive_pipeline_password",
    "postgres_archive_reader_password", "postgres_social_pipeline_password",
    "social_gateway_api_key", "weaviate_api_key", "archive_qa_llm_api_key",
    "social_airtable_token", "airtable_standin_token", "platform_ca",
    # Their journal upload's client certificate (a worker holds no host certificate).
    "journal_worker_client",
)  # fmt: skip
_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----")
_SKIPPED_PARTS = {"__pycache__", ".pytest_cache", "molecule"}


@dataclass(frozen=True)
class Manifest:
    version: str
    bundle_key: str
    bundle_sha256: str
    wheelhouse_id: str
    wheelhouse_key: str
    wheelhouse_sha256: str

    def as_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, sort_keys=True) + "\n"


def worker_secrets(platform_secrets: dict[str, str]) -> dict[str, str]:
    """The workers' share of the platform secrets: WORKER_SECRET_KEYS, the CA without its key."""
    shared = {key: platform_secrets[key] for key in WORKER_SECRET_KEYS if key in platform_secrets}
    if "platform_ca" in shared:
        found = _CERTIFICATE.search(shared["platform_ca"])
        shared["platform_ca"] = found.group(0) if found else ""
    return shared


# -- what goes in --------------------------------------------------------------------------


def _lock_blocks(lock: Path, names: tuple[str, ...]) -> dict[str, str]:
    """`name==version` with its hash lines, per name, from a pip-compile lock."""
    lines: dict[str, list[str]] = {}
    current: str | None = None
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==\S+", line)
        if match:
            name = match.group(1).lower().replace("_", "-")
            current = name if name in names else None
            if current:
                lines[current] = [line]
        elif current and line.strip().startswith("--hash="):
            lines[current].append(line)
        else:
            current = None
    missing = [name for name in names if name not in lines]
    if missing:
        raise PlatformError(
            f"{lock.relative_to(REPO_ROOT)} does not pin {', '.join(missing)}: the workers' "
            "bundle installs the controller's Ansible from those pins"
        )
    return {name: "\n".join(block).rstrip(" \\") for name, block in lines.items()}


def bootstrap_requirements() -> str:
    blocks = _lock_blocks(CONTROLLER_LOCK, BOOTSTRAP_PACKAGES)
    return "\n".join(blocks[name] for name in BOOTSTRAP_PACKAGES) + "\n"


def bootstrap_wheels() -> list[Path]:
    """The wheels of BOOTSTRAP_PACKAGES and pip, downloaded once (hash-checked) into
    .cache/worker-bundle/wheels."""
    blocks = _lock_blocks(CONTROLLER_LOCK, (*BOOTSTRAP_PACKAGES, INSTALLER))
    BOOTSTRAP_WHEELS.mkdir(parents=True, exist_ok=True)
    requirements = BOOTSTRAP_WHEELS.parent / "requirements.txt"
    requirements.write_text("\n".join(blocks.values()) + "\n", encoding="utf-8")
    wanted = {name: blocks[name].splitlines()[0].split("==")[1].rstrip(" \\") for name in blocks}

    def have(name: str, version: str) -> bool:
        stem = name.replace("-", "_")
        return any(BOOTSTRAP_WHEELS.glob(f"{stem}-{version}-*.whl"))

    if not all(have(name, version) for name, version in wanted.items()):
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--only-binary=:all:", "--require-hashes", "--dest", str(BOOTSTRAP_WHEELS),
             "--requirement", str(requirements)],
            check=False, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
            raise PlatformError(
                "downloading the workers' Ansible wheels failed (PyPI is needed once; they "
                f"are kept in {BOOTSTRAP_WHEELS.relative_to(REPO_ROOT)}): {last}"
            )
    wheels = []
    for name, version in wanted.items():
        found = sorted(BOOTSTRAP_WHEELS.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
        if not found:
            raise PlatformError(f"no wheel of {name}=={version} in {BOOTSTRAP_WHEELS}")
        wheels.append(found[-1])
    return wheels


def _collections_root() -> Path:
    import ansible_collections

    return Path(next(iter(ansible_collections.__path__)))


def bundle_inventory(inventory: dict[str, Any], worker_secrets_id: str) -> dict[str, Any]:
    """The controller's inventory as a worker needs it: the fixed hosts' addresses and the
    platform's variables; no connection keys, and the workers' secret for the secrets."""
    private = {"ansible_ssh_private_key_file", "ansible_control_path", "ansible_ssh_args"}
    all_vars = {k: v for k, v in inventory["all"]["vars"].items() if k not in private}
    all_vars["platform_secrets_id"] = worker_secrets_id
    children = {
        group: {
            "hosts": {
                name: {k: v for k, v in host.items() if k not in private}
                for name, host in (members.get("hosts") or {}).items()
            }
        }
        for group, members in inventory["all"]["children"].items()
    }
    return {"all": {"vars": all_vars, "children": children}}


def _members(root: Path, relative: str) -> list[tuple[str, Path]]:
    path = root / relative
    if path.is_file():
        return [(relative, path)]
    if not path.is_dir():
        raise PlatformError(f"{relative} is missing from {root}: the workers' bundle needs it")
    return sorted(
        (f"{relative}/{file.relative_to(path).as_posix()}", file)
        for file in path.rglob("*")
        if file.is_file() and not _SKIPPED_PARTS.intersection(file.relative_to(path).parts)
    )


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, 0
    tar.addfile(info, io.BytesIO(data))


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> None:
    info = tarfile.TarInfo(name)
    info.size = path.stat().st_size
    info.mode = 0o755 if path.stat().st_mode & 0o111 else 0o644
    info.mtime = 0
    with path.open("rb") as handle:
        tar.addfile(info, handle)


def build_bundle(inventory: dict[str, Any], worker_secrets_id: str, dest: Path) -> str:
    """Write the bundle (a reproducible .tar.gz) to `dest`; return its SHA-256."""
    files: list[tuple[str, Path]] = []
    for relative in REPOSITORY_PATHS:
        files += _members(REPO_ROOT, relative)
    collections = _collections_root()
    for collection in COLLECTIONS:
        files += [
            (f"bootstrap/collections/ansible_collections/{name}", path)
            for name, path in _members(collections, collection)
        ]
    files += [(f"bootstrap/wheels/{wheel.name}", wheel) for wheel in bootstrap_wheels()]
    generated = {
        "bootstrap/requirements.txt": bootstrap_requirements().encode(),
        "inventory/hosts.yml": yaml.safe_dump(
            bundle_inventory(inventory, worker_secrets_id), sort_keys=True
        ).encode(),
        "manifest.json": json.dumps({"files": len(files)}).encode(),
    }
    dest.parent.mkdir(parents=True, exist_ok=True)
    raw = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name, data in sorted(generated.items()):
            _add_bytes(tar, name, data)
        for name, path in sorted(files):
            _add_file(tar, name, path)
    dest.write_bytes(raw.getvalue())
    return hashlib.sha256(raw.getvalue()).hexdigest()


def _sha256_of(path: Path) -> str:
    """A file's SHA-256, remembered beside it (the wheelhouse is 700 MB)."""
    remembered = path.with_suffix(path.suffix + ".sha256")
    if remembered.exists() and remembered.stat().st_mtime >= path.stat().st_mtime:
        return remembered.read_text(encoding="utf-8").strip()
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    remembered.write_text(digest.hexdigest() + "\n", encoding="utf-8")
    return digest.hexdigest()


# -- publishing ----------------------------------------------------------------------------


def _exists(s3: Any, bucket: str, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise


def publish(s3: Any, bucket: str, inventory: dict[str, Any], worker_secrets_id: str) -> Manifest:
    """Build the bundle and upload what the bucket lacks; the manifest last, so an instance
    never reads a manifest whose files are not there yet."""
    wheelhouse = (WHEELHOUSE_DIR / "hosts.tar").resolve()
    if not wheelhouse.is_file():
        raise PlatformError("no hosts' wheelhouse (.cache/wheelhouse/hosts.tar): 'make wheelhouse'")
    wheelhouse_id = wheelhouse.stem
    archive = REPO_ROOT / ".cache" / "worker-bundle" / "bundle.tar.gz"
    digest = build_bundle(inventory, worker_secrets_id, archive)
    manifest = Manifest(
        version=digest[:16],
        bundle_key=f"worker/bundle-{digest[:16]}.tar.gz",
        bundle_sha256=digest,
        wheelhouse_id=wheelhouse_id,
        wheelhouse_key=f"wheelhouse/{wheelhouse_id}.tar",
        wheelhouse_sha256=_sha256_of(wheelhouse),
    )
    if not _exists(s3, bucket, manifest.wheelhouse_key):
        print(
            f"platformctl: uploading the hosts' wheelhouse {wheelhouse_id} "
            f"({wheelhouse.stat().st_size // 1_000_000} MB) to s3://{bucket}"
        )
        s3.upload_file(str(wheelhouse), bucket, manifest.wheelhouse_key)
    if not _exists(s3, bucket, manifest.bundle_key):
        s3.upload_file(str(archive), bucket, manifest.bundle_key)
    current = None
    if _exists(s3, bucket, MANIFEST_KEY):
        current = s3.get_object(Bucket=bucket, Key=MANIFEST_KEY)["Body"].read().decode()
    if current != manifest.as_json():
        s3.put_object(Bucket=bucket, Key=MANIFEST_KEY, Body=manifest.as_json().encode())
        print(f"platformctl: published the workers' bundle {manifest.version} to s3://{bucket}")
    return manifest
