"""The lock files: every pinned requirement carries the hashes its install checks."""

import re
from pathlib import Path

import pytest

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements"
LOCKS = sorted(REQUIREMENTS.glob("*.lock"))
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def entries(lock: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) for every requirement of a pip-compile lock."""
    found: dict[str, tuple[str, list[str]]] = {}
    name = None
    for line in lock.read_text().splitlines():
        pin = PIN.match(line)
        if pin:
            name = pin.group(1).lower().replace("_", "-")
            found[name] = (pin.group(2), [])
        elif name and line.strip().startswith("--hash=sha256:"):
            found[name][1].append(line.strip().removeprefix("--hash=sha256:").rstrip(" \\"))
        elif not line.startswith(" "):
            name = None
    return found


def test_the_locks_are_found():
    assert {lock.name for lock in LOCKS} >= {"dev.lock", "hosts.lock", "checkov.lock", "moto.lock"}


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.name)
def test_every_requirement_has_hashes(lock):
    locked = entries(lock)
    assert locked, f"{lock.name} pins nothing"
    unhashed = sorted(name for name, (_, hashes) in locked.items() if not hashes)
    assert not unhashed, f"{lock.name}: no --hash for {unhashed}; re-lock with make lock targets"
    malformed = sorted(
        name
        for name, (_, hashes) in locked.items()
        if any(not re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)
    )
    assert not malformed, f"{lock.name}: malformed sha256 for {malformed}"


def test_moto_host_runs_the_versions_the_tests_use():
    dev = entries(REQUIREMENTS / "dev.lock")
    moto = entries(REQUIREMENTS / "moto.lock")
    assert "moto" in moto
    differ = {n: (v, dev[n][0]) for n, (v, _) in moto.items() if n in dev and dev[n][0] != v}
    assert not differ, f"moto.lock and dev.lock disagree (moto, dev): {differ}; run make moto-lock"


def test_hosts_lock_carries_uv_with_hashes():
    # The hosts install uv first, by its hashed entry, then everything else with it.
    assert entries(REQUIREMENTS / "hosts.lock")["uv"][1]
