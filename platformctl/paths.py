"""Where the repository's parts and the per-user state live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ANSIBLE_DIR = REPO_ROOT / "ansible"
ANSIBLE_CONFIG = ANSIBLE_DIR / "ansible.cfg"


def state_dir(env: str) -> Path:
    """Per-user state of an environment (secrets), outside the repository."""
    base = os.environ.get("PLATFORM_STATE_DIR") or os.path.join(
        os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state", "cdaprod"
    )
    return Path(base) / env


def inventory_dir(env: str) -> Path:
    return ANSIBLE_DIR / "inventories" / env
