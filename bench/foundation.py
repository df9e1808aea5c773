"""Foundation benchmarks: host image build, one molecule scenario, bringing up six hosts.

Each figure is reported with a baseline measured in the same run on the same machine, as a
ratio, because absolute seconds on a shared 2-core VM say little on their own:
  image from scratch    vs debootstrap alone with the same packages (the floor)
  image from cache      vs the from-scratch build
  molecule test common  vs creating and removing one bare container
  up of six hosts       vs `ansible -m ping` over the same six hosts (connection floor)
  idempotent re-run     vs the same ping
Targets (issue 7): scratch <= 120 s, cache <= 15 s, molecule <= 120 s, up <= 180 s,
re-run <= 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
BENCH_IMAGE = "localhost/cdaprod-host:bench"
PREFIX = "bench-"
NETWORK = "cdaprod-bench"
console = Console()


def timed(cmd: list[str], **kwargs) -> float:
    console.log(" ".join(cmd))
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start


def venv_bin(name: str) -> str:
    return str(ROOT / ".venv" / "bin" / name)


def bench_image() -> dict[str, float]:
    env = {**os.environ, "HOST_IMAGE": BENCH_IMAGE, "HOST_IMAGE_FORCE": "1"}
    scratch = timed(["bash", "images/host/build.sh"], cwd=ROOT, env=env)
    env.pop("HOST_IMAGE_FORCE")
    cached = timed(["bash", "images/host/build.sh"], cwd=ROOT, env=env)
    packages = ",".join(
        line.strip()
        for line in (ROOT / "images/host/packages.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    with tempfile.TemporaryDirectory(dir="/var/tmp") as rootfs:
        floor = timed(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={packages}",
                "bookworm",
                rootfs,
                os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian"),
            ]
        )
    subprocess.run(["podman", "rmi", "-f", BENCH_IMAGE], check=False, capture_output=True)
    return {"image_scratch_s": scratch, "image_cached_s": cached, "debootstrap_floor_s": floor}


def bench_molecule() -> dict[str, float]:
    image = yaml.safe_load((ROOT / "ansible/inventories/local/topology.yml").read_text())["image"]
    floor = timed(["podman", "run", "-d", "--name", f"{PREFIX}floor", image], cwd=ROOT)
    floor += timed(["podman", "rm", "-f", "-t", "0", f"{PREFIX}floor"])
    scenario = timed([venv_bin("molecule"), "test", "-s", "common"], cwd=ROOT)
    return {"molecule_common_s": scenario, "bare_container_floor_s": floor}


def bench_up() -> dict[str, float]:
    """Six hosts (every host of the local topology) with the common role only."""
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible/ansible.cfg")}
    with tempfile.TemporaryDirectory() as tmp:
        inventory = Path(tmp) / "hosts.yml"
        common_only = Path(tmp) / "common_only.yml"
        common_only.write_text(
            "- name: Common role only\n  hosts: all\n  become: true\n  roles: [common]\n"
        )
        provision = [
            venv_bin("ansible-playbook"),
            "provision_local.yml",
            "-e",
            f"platform_name_prefix={PREFIX}",
            "-e",
            f"platform_network={NETWORK}",
            "-e",
            f"platform_inventory_file={inventory}",
            "-e",
            "platform_features=['weaviate']",
        ]
        converge = [venv_bin("ansible-playbook"), "-i", str(inventory), str(common_only)]
        ping = [venv_bin("ansible"), "-i", str(inventory), "all", "-m", "ansible.builtin.ping"]
        cwd = ROOT / "ansible"
        try:
            up = timed(provision, cwd=cwd, env=env) + timed(converge, cwd=cwd, env=env)
            rerun = timed(provision, cwd=cwd, env=env) + timed(converge, cwd=cwd, env=env)
            floor = timed(ping, cwd=cwd, env=env)
        finally:
            subprocess.run(
                [*provision, "-e", "platform_state=absent"],
                cwd=cwd,
                env=env,
                check=False,
                stdout=subprocess.DEVNULL,
            )
    return {"up_six_hosts_s": up, "up_rerun_s": rerun, "ping_floor_s": floor}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/foundation.json")
    parser.add_argument("--only", choices=["image", "molecule", "up"], action="append")
    args = parser.parse_args()
    parts = {"image": bench_image, "molecule": bench_molecule, "up": bench_up}
    results: dict[str, float] = {}
    for name in args.only or list(parts):
        results.update(parts[name]())

    rows = [
        ("image from scratch", "image_scratch_s", "debootstrap_floor_s", 120),
        ("image from cache", "image_cached_s", "image_scratch_s", 15),
        ("molecule test common", "molecule_common_s", "bare_container_floor_s", 120),
        ("make up, six hosts", "up_six_hosts_s", "ping_floor_s", 180),
        ("idempotent re-run", "up_rerun_s", "ping_floor_s", 60),
    ]
    table = Table(title="foundation benchmarks")
    for col in ("what", "seconds", "baseline", "ratio", "target", "met"):
        table.add_column(col)
    report = []
    for label, key, base, target in rows:
        if key not in results or base not in results:
            continue
        ratio = results[key] / results[base]
        met = results[key] <= target
        report.append(
            {
                "what": label,
                "seconds": round(results[key], 2),
                "baseline": base,
                "baseline_seconds": round(results[base], 2),
                "ratio": round(ratio, 3),
                "target_seconds": target,
                "met": met,
            }
        )
        table.add_row(
            label,
            f"{results[key]:.1f}",
            f"{base} {results[base]:.1f}",
            f"{ratio:.2f}x",
            f"<= {target}",
            "yes" if met else "NO",
        )
    console.print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "load_avg_1m": os.getloadavg()[0],
                },
                "results": report,
            },
            indent=2,
        )
        + "\n"
    )
    console.print(f"written to {args.out}")


if __name__ == "__main__":
    main()
