"""The host image carries what the role `common` installs on every host."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def image_packages() -> set[str]:
    lines = (ROOT / "images/host/packages.txt").read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_image_has_the_common_packages():
    role = ROOT / "ansible/roles/common"
    defaults = yaml.safe_load((role / "defaults/main.yml").read_text())
    tasks = yaml.safe_load((role / "tasks/unattended_upgrades.yml").read_text())
    upgrades = next(t for t in tasks if t["name"] == "Remove unattended-upgrades")
    wanted = set(defaults["common_packages"]) | set(upgrades["ansible.builtin.apt"]["name"])
    wanted.add("systemd-timesyncd")
    missing = wanted - image_packages()
    assert not missing, f"add {sorted(missing)} to images/host/packages.txt"
