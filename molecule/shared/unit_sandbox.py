"""What every scenario checks of the units we write: the sandbox systemd applies to them.

`systemd-analyze security` scores a unit's exposure from 0 (confined) to 10. The checks also
read the running process: its capability bounding set is empty and a seccomp filter is on
(both are enforced inside the scenario's containers; the mount-namespace settings, such as
ProtectSystem, are skipped by systemd in a container without CAP_SYS_ADMIN, so those are
checked as unit properties only).
"""

from __future__ import annotations

import re
from typing import Any

# Exposure of a service that may use the network and its own files, and nothing else.
MAX_EXPOSURE = 2.0
EXPOSURE = re.compile(r"Overall exposure level for \S+: (?P<level>\d+\.\d)")


def exposure(host: Any, unit: str) -> float:
    """systemd's overall exposure level of `unit` (0.0-10.0)."""
    out = host.check_output(f"systemd-analyze security --no-pager {unit} 2>&1 | tail -n 1")
    found = EXPOSURE.search(out)
    assert found, out
    return float(found["level"])


def assert_sandboxed(host: Any, unit: str, *, running: bool = True) -> None:
    """`unit` scores at most MAX_EXPOSURE; its main process, when it runs, holds no
    capability and runs under a seccomp filter."""
    level = exposure(host, unit)
    assert level <= MAX_EXPOSURE, f"{unit}: exposure {level} > {MAX_EXPOSURE}"
    for prop, value in (("ProtectSystem", "strict"), ("NoNewPrivileges", "yes")):
        assert host.check_output(f"systemctl show -p {prop} --value {unit}") == value, prop
    if not running:
        return
    pid = host.check_output(f"systemctl show -p MainPID --value {unit}")
    assert pid not in ("", "0"), f"{unit} is not running"
    status = host.file(f"/proc/{pid}/status").content_string
    assert re.search(r"^CapBnd:\s+0+$", status, re.M), f"{unit} keeps capabilities"
    assert re.search(r"^Seccomp:\s+2$", status, re.M), f"{unit} has no seccomp filter"
