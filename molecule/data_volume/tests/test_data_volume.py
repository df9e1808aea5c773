"""The data_volume role seen from outside: a loop device stands in for the EBS volume.

molecule-data-volume (privileged) has two loop devices from prepare.yml: volume.img, the data
volume converge formatted and mounted, and other.img, which holds ext2 and must be refused.
molecule-data-volume-none has no volume; molecule-data-volume-premounted has a volume id whose
device never exists and a tmpfs already mounted at /srv/data (the emulated-AWS case).
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
import testinfra
import yaml

SCENARIO = pathlib.Path(__file__).parents[1]
REPO = SCENARIO.parents[1]
HOST_VARS = yaml.safe_load((SCENARIO / "molecule.yml").read_text())["provisioner"]["inventory"][
    "host_vars"
]
VOLUME_HOST = "molecule-data-volume"
NONE_HOST = "molecule-data-volume-none"
PREMOUNTED_HOST = "molecule-data-volume-premounted"
IMAGES = HOST_VARS[VOLUME_HOST]["dv_test_image_dir"]
testinfra_hosts = [f"podman://{VOLUME_HOST}"]


def other(name):
    return testinfra.get_host(f"podman://{name}")


def loop_of(host, image):
    """The loop device prepare.yml attached to IMAGES/image.img."""
    return host.check_output(f"losetup -n -O NAME -j {IMAGES}/{image}.img")


def mount_of(host, path="/srv/data"):
    """(source, fstype, options) of the mount at path, or None."""
    res = host.run(f"findmnt --json --output SOURCE,FSTYPE,OPTIONS --mountpoint {path}")
    return json.loads(res.stdout)["filesystems"][0] if res.rc == 0 else None


def uuid_of(host, device):
    return host.check_output(f"blkid --probe --match-tag UUID --output value {device}")


def apply_role(name, extra):
    """Start apply_role.yml on one container with these variables; return the process."""
    playbook = shutil.which("ansible-playbook", path=os.path.dirname(sys.executable))
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(REPO / "ansible" / "ansible.cfg"),
        ANSIBLE_ROLES_PATH=str(REPO / "ansible" / "roles"),
        ANSIBLE_FORCE_COLOR="false",
    )
    base = {
        "ansible_connection": "containers.podman.podman",
        "ansible_python_interpreter": "/usr/bin/python3",
    }
    args = ["-i", f"{name},", str(SCENARIO / "apply_role.yml"), "-e", json.dumps({**base, **extra})]
    return subprocess.Popen(
        [playbook or "ansible-playbook", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


@pytest.fixture(scope="module")
def runs(host):
    """The role's refusals and skips, run in parallel before and after which the state is read."""
    other_loop = loop_of(host, "other")
    before = {
        "other_uuid": uuid_of(host, other_loop),
        "volume_uuid": uuid_of(host, loop_of(host, "volume")),
    }
    procs = {
        # A volume holding another file system, at a free mount point: refused, not formatted.
        "other fs": apply_role(
            VOLUME_HOST,
            {
                "data_volume_id": "vol-0b1b2c3d4e5f60718",
                "data_volume_device": other_loop,
                "data_volume_mount_point": "/srv/other",
            },
        ),
        # The data volume's mount point is taken by another device: refused.
        "mount point taken": apply_role(
            VOLUME_HOST,
            {
                "data_volume_fstype": "ext4",
                "data_volume_device": other_loop,
                "data_volume_mount_point": "/srv/data",
            },
        ),
        # An attached volume whose device never appears: one message after a bounded wait.
        "missing device": apply_role(
            NONE_HOST,
            {"data_volume_id": "vol-0c1b2c3d4e5f60718", "data_volume_device_timeout": 3},
        ),
        "no volume": apply_role(NONE_HOST, {}),
        "premounted": apply_role(PREMOUNTED_HOST, HOST_VARS[PREMOUNTED_HOST]),
    }
    results = {}
    for name, proc in procs.items():
        out, _ = proc.communicate(timeout=300)
        results[name] = (proc.returncode, out)
    return {"before": before, "results": results, "other_loop": other_loop}


def test_volume_is_mounted_by_its_device_with_ext4(host):
    volume = loop_of(host, "volume")
    mounted = mount_of(host)
    assert mounted is not None, "nothing mounted at /srv/data"
    assert (mounted["source"], mounted["fstype"]) == (volume, "ext4")
    assert "noatime" in mounted["options"].split(",")
    fstab = [
        line.split()
        for line in host.file("/etc/fstab").content_string.splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert [volume, "/srv/data", "ext4", "defaults,noatime,nofail", "0", "0"] in fstab
    assert host.file("/srv/data").mode == 0o755


def test_new_file_system_has_no_root_reserve(host):
    header = host.check_output(f"dumpe2fs -h {loop_of(host, 'volume')} 2>/dev/null")
    assert "Reserved block count:     0" in header


def test_marker_of_the_first_converge_survives_the_second(host):
    # converge.yml wrote the file system's UUID into the marker after the first converge;
    # idempotence ran the role again. Same file, same UUID: the volume was not formatted again.
    marker = host.file("/srv/data/molecule-marker")
    assert marker.exists
    assert marker.content_string.strip() == uuid_of(host, loop_of(host, "volume"))


def test_volume_holding_another_file_system_is_refused_and_untouched(host, runs):
    rc, out = runs["results"]["other fs"]
    assert rc != 0, out
    flat = " ".join(out.split())
    assert "holds a file system of type ext2, not ext4. Nothing was changed" in flat, out
    assert "wipefs --all" in flat
    assert "changed=0" in out, out
    assert uuid_of(host, runs["other_loop"]) == runs["before"]["other_uuid"]
    assert mount_of(host, "/srv/other") is None


def test_mount_point_taken_by_another_device_is_refused(host, runs):
    rc, out = runs["results"]["mount point taken"]
    assert rc != 0, out
    flat = " ".join(out.split())
    assert "/srv/data is already mounted from /dev/loop" in flat, out
    assert "not from the data volume" in flat and "Nothing was changed" in flat, out
    assert mount_of(host)["source"] == loop_of(host, "volume")
    assert uuid_of(host, loop_of(host, "volume")) == runs["before"]["volume_uuid"]


def test_missing_device_fails_after_a_bounded_wait_with_what_to_check(runs):
    rc, out = runs["results"]["missing device"]
    assert rc != 0, out
    flat = " ".join(out.split())
    assert (
        "The data volume vol-0c1b2c3d4e5f60718 of molecule-data-volume-none did not appear at "
        "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0c1b2c3d4e5f60718 within 3 s"
    ) in flat, out
    assert "set data_volume_device" in flat and "Nothing was changed" in flat
    assert "elapsed: 3" in out, out
    assert "changed=0" in out, out
    assert mount_of(other(NONE_HOST)) is None


def test_host_without_volume_is_skipped(runs):
    rc, out = runs["results"]["no volume"]
    assert rc == 0, out
    assert "molecule-data-volume-none has no data volume" in " ".join(out.split()), out
    assert "changed=0" in out, out
    none = other(NONE_HOST)
    assert mount_of(none) is None
    assert "/srv/data" not in none.file("/etc/fstab").content_string


def test_premounted_path_is_used_as_it_is(runs):
    rc, out = runs["results"]["premounted"]
    assert rc == 0, out
    flat = " ".join(out.split())
    assert "is absent, but /srv/data is already mounted (tmpfs, tmpfs): using that mount" in flat
    assert "changed=0" in out, out
    premounted = other(PREMOUNTED_HOST)
    assert mount_of(premounted)["fstype"] == "tmpfs"
    assert "/srv/data" not in premounted.file("/etc/fstab").content_string
