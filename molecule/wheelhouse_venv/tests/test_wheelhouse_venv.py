"""The hosts' environment as seen on the host: exactly the lock, importable, offline-built."""

from __future__ import annotations

import re
from pathlib import Path

testinfra_hosts = ["podman://molecule-wheelhouse-venv"]

VENV = "/opt/cdaprod/venv"
LOCK = Path(__file__).resolve().parents[3] / "requirements" / "hosts.lock"


def locked() -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", LOCK.read_text(), flags=re.M)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins}


def installed(host) -> dict[str, str]:
    """name -> version, or the wheel's path for packages installed from a file."""
    out = host.check_output(f"{VENV}/bin/uv pip freeze --python {VENV}/bin/python")
    pins = re.findall(r"^([A-Za-z0-9_.-]+)(?:==| @ )(\S+)", out, flags=re.M)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins}


def test_environment_is_exactly_the_lock_plus_the_project(host):
    have = installed(host)
    project = have.pop("cdaprod-platform", None)
    assert project, "the project's own wheel is not installed"
    # The seed installer of `python3 -m venv`, used once to install uv; uv leaves it alone.
    have.pop("pip", None)
    assert have == locked()


def test_environment_is_consistent(host):
    host.check_output(f"{VENV}/bin/uv pip check --python {VENV}/bin/python")


def test_platform_packages_import(host):
    # Airflow, the notebook runner and the samples, as the DAGs and notebooks import them;
    # cv2 needs the display libraries the role installs.
    host.check_output(
        f"{VENV}/bin/python -c 'import airflow, papermill, cv2, samples.video_archive, "
        "integrations.postgres.client'"
    )


def test_stamp_names_the_lock_and_no_wheels_are_left_behind(host):
    stamp = host.file(f"{VENV}/.cdaprod-wheelhouse").content_string.strip()
    assert re.fullmatch(r"[0-9a-f]{16}", stamp)
    # The unpacked wheelhouse, and one of an earlier lock, are gone; the project's wheel stays.
    assert host.check_output("ls /opt/cdaprod/wheelhouse").split() == ["project"]
