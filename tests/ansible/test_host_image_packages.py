"""The host image carries what the roles `common` and `node_exporter` install on every host,
and the locale `common` sets by default."""

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


def test_image_has_the_node_exporter_package():
    tasks = yaml.safe_load((ROOT / "ansible/roles/node_exporter/tasks/install.yml").read_text())
    install = next(t for t in tasks if t["name"] == "Install the node exporter")
    assert install["ansible.builtin.apt"]["name"] in image_packages()


def test_image_generates_the_common_default_locale():
    defaults = yaml.safe_load((ROOT / "ansible/roles/common/defaults/main.yml").read_text())
    locale = defaults["common_locale"]
    charset = locale.split(".")[1]
    # The locale.gen line build.sh uncomments before running locale-gen.
    assert f"{locale} {charset}" in (ROOT / "images/host/build.sh").read_text()
