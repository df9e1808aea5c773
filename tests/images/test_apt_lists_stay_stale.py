"""The hosts' images ship empty package lists dated 1970, so that the first apt task with a
cache_valid_time refreshes them. Nothing that runs at boot may date them again: when
unattended-upgrades (apt-daily-upgrade.timer) made lists/partial/ at boot, Ansible took the
empty lists for fresh ones and failed with "No package matching"."""

from __future__ import annotations

import shutil
import subprocess

import pytest

IMAGES = ["localhost/cdaprod-host:bookworm", "localhost/cdaprod-host-python:bookworm"]


def _exists(image: str) -> bool:
    found = subprocess.run(["podman", "image", "exists", image], check=False)
    return found.returncode == 0


@pytest.mark.slow
@pytest.mark.parametrize("image", IMAGES)
def test_what_runs_at_boot_leaves_the_package_lists_stale(image):
    if not shutil.which("podman") or not _exists(image):
        pytest.skip(f"{image} is not built here: make image image-python")
    script = (
        "/usr/lib/apt/apt.systemd.daily install >/dev/null 2>&1 || true; "
        "stat -c %Y /var/lib/apt/lists; ls /var/lib/apt/lists"
    )
    done = subprocess.run(
        ["podman", "run", "--rm", image, "sh", "-c", script],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    mtime, *entries = done.stdout.split()
    assert mtime == "0", "the package lists look fresh: apt's cache_valid_time would skip them"
    assert entries == ["partial"]
