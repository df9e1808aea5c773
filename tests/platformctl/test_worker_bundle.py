"""The workers' bundle: what goes in, what stays out, and how it is published."""

from __future__ import annotations

import json
import re
import tarfile

import boto3
import pytest
from moto import mock_aws

from platformctl import worker_bundle
from platformctl.errors import PlatformError
from platformctl.paths import REPO_ROOT

INVENTORY = {
    "all": {
        "vars": {
            "ansible_connection": "ssh",
            "ansible_ssh_private_key_file": "/home/me/.local/state/cdaprod/emulated/ssh/id",
            "ansible_ssh_args": "-o ControlMaster=auto",
            "platform_secrets_id": "arn:platform",
            "platform_env": "emulated",
        },
        "children": {
            "airflow_master": {
                "hosts": {"m-1": {"ansible_host": "10.0.0.5", "ansible_control_path": "/x/cp"}}
            },
            "weaviate": {"hosts": {}},
        },
    }
}


def test_the_bundle_inventory_has_the_addresses_and_no_connection_keys():
    found = worker_bundle.bundle_inventory(INVENTORY, "arn:workers")
    assert found["all"]["vars"]["platform_secrets_id"] == "arn:workers"
    assert found["all"]["children"]["airflow_master"]["hosts"]["m-1"] == {
        "ansible_host": "10.0.0.5"
    }
    assert "ssh/id" not in json.dumps(found)
    assert "ansible_ssh_private_key_file" not in json.dumps(found)
    assert "ansible_control_path" not in json.dumps(found)


def test_workers_get_their_secrets_and_the_cas_certificate_without_its_key():
    ca = (
        "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n"
        "-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n"
    )
    everything = {key: f"value-{key}" for key in worker_bundle.WORKER_SECRET_KEYS}
    everything |= {
        "platform_ca": ca,
        "postgres_airflow_password": "owner",
        "archive_admin_password": "x",
    }
    shared = worker_bundle.worker_secrets(everything)
    assert "postgres_airflow_password" not in shared
    assert "archive_admin_password" not in shared
    assert shared["platform_ca"] == "-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----"
    assert shared["redis_password"] == "value-redis_password"


def test_the_workers_secret_keys_are_the_ones_the_worker_play_reads():
    """Every platform secret the workers' variables name is in the workers' secret."""
    read = set()
    for path in [
        REPO_ROOT / "ansible/group_vars/airflow_worker.yml",
        *sorted((REPO_ROOT / "ansible/group_vars/all").glob("*.yml")),
    ]:
        read |= set(re.findall(r"platform_secrets\.([a-z0-9_]+)", path.read_text()))
    assert read <= set(worker_bundle.WORKER_SECRET_KEYS), read - set(
        worker_bundle.WORKER_SECRET_KEYS
    )


def test_the_controllers_lock_pins_what_the_workers_install():
    requirements = worker_bundle.bootstrap_requirements()
    assert re.search(r"^ansible-core==\S+ \\$", requirements, re.M)
    assert requirements.count("--hash=sha256:") >= len(worker_bundle.BOOTSTRAP_PACKAGES)


def test_a_package_missing_from_the_lock_is_named(tmp_path, monkeypatch):
    lock = tmp_path / "dev.lock"
    lock.write_text("pip==26.3 \\\n    --hash=sha256:abc\n", encoding="utf-8")
    monkeypatch.setattr(worker_bundle, "CONTROLLER_LOCK", lock)
    monkeypatch.setattr(worker_bundle, "REPO_ROOT", tmp_path)
    with pytest.raises(PlatformError, match="does not pin ansible-core"):
        worker_bundle.bootstrap_requirements()


@pytest.fixture
def small_bundle(tmp_path, monkeypatch):
    """The bundle without the downloaded wheels and with one small collection."""
    collections = tmp_path / "ansible_collections"
    for collection in worker_bundle.COLLECTIONS:
        (collections / collection / "plugins").mkdir(parents=True)
        (collections / collection / "plugins" / "x.py").write_text("X = 1\n")
    wheel = tmp_path / "pip-26.3-py3-none-any.whl"
    wheel.write_bytes(b"wheel")
    monkeypatch.setattr(worker_bundle, "_collections_root", lambda: collections)
    monkeypatch.setattr(worker_bundle, "bootstrap_wheels", lambda: [wheel])
    return tmp_path


def test_the_bundle_is_reproducible_and_holds_what_the_play_reads(small_bundle):
    first = worker_bundle.build_bundle(INVENTORY, "arn:workers", small_bundle / "a.tar.gz")
    second = worker_bundle.build_bundle(INVENTORY, "arn:workers", small_bundle / "b.tar.gz")
    assert first == second
    with tarfile.open(small_bundle / "a.tar.gz") as tar:
        names = set(tar.getnames())
    for expected in (
        "ansible/playbook.yml",
        "ansible/roles/airflow_worker/tasks/main.yml",
        "ansible/group_vars/airflow_worker.yml",
        "airflow/dags/video_archive.py",
        "papermill/execute_notebooks.py",
        "inventory/hosts.yml",
        "bootstrap/requirements.txt",
        "bootstrap/wheels/pip-26.3-py3-none-any.whl",
        "bootstrap/collections/ansible_collections/community/general/plugins/x.py",
    ):
        assert expected in names, expected
    assert not [name for name in names if "__pycache__" in name or "/molecule/" in name]
    other = worker_bundle.build_bundle(INVENTORY, "arn:other", small_bundle / "c.tar.gz")
    assert other != first


@mock_aws
def test_publishing_uploads_once_and_the_manifest_names_both_digests(small_bundle, monkeypatch):
    wheelhouse = small_bundle / "wheelhouse"
    wheelhouse.mkdir()
    (wheelhouse / "0123abcd.tar").write_bytes(b"wheels" * 1000)
    (wheelhouse / "hosts.tar").symlink_to("0123abcd.tar")
    monkeypatch.setattr(worker_bundle, "WHEELHOUSE_DIR", wheelhouse)
    monkeypatch.setattr(worker_bundle, "REPO_ROOT", REPO_ROOT)
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="bundles")
    uploads = []
    real_upload = s3.upload_file
    monkeypatch.setattr(
        s3, "upload_file", lambda *a, **k: (uploads.append(a[2]), real_upload(*a, **k))
    )
    manifest = worker_bundle.publish(s3, "bundles", INVENTORY, "arn:workers")
    assert manifest.wheelhouse_id == "0123abcd"
    assert manifest.wheelhouse_key == "wheelhouse/0123abcd.tar"
    stored = json.loads(
        s3.get_object(Bucket="bundles", Key=worker_bundle.MANIFEST_KEY)["Body"].read()
    )
    assert stored["bundle_sha256"] == manifest.bundle_sha256
    assert stored["version"] == manifest.bundle_sha256[:16]
    again = worker_bundle.publish(s3, "bundles", INVENTORY, "arn:workers")
    assert again == manifest
    assert uploads == [manifest.wheelhouse_key, manifest.bundle_key]
