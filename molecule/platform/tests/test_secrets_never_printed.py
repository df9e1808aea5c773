"""No generated secret is ever printed: not by the converge that creates every file (each
change shown with its diff, as `make plan` shows it), not by the idempotent re-run."""

from __future__ import annotations

import os
import re
from pathlib import Path

# Ansible's log of this scenario's plays (molecule.yml: log_path, diff always).
PLAY_LOG = Path(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent")) / "ansible.log"


def test_the_play_log_holds_the_converge_with_its_diffs():
    text = PLAY_LOG.read_text(encoding="utf-8", errors="replace")
    assert "PLAY [" in text and "PLAY RECAP" in text
    # Diffs were on: file contents appear as they are written (the nginx site, for one).
    assert "--- before" in text and "+++ after" in text


def secret_parts(value: object) -> list[str]:
    """What of a secret must never be printed: the value, or for a PEM bundle (the platform
    CA) each line of its private key; the certificate beside it is public."""
    keys = re.findall(r"-----BEGIN PRIVATE KEY-----(.*?)-----END", str(value), re.S)
    lines = [line for key in keys for line in key.split() if len(line) >= 20]
    return lines if keys else [str(value)]


def test_no_generated_secret_appears_in_any_play_output(secrets):
    text = PLAY_LOG.read_text(encoding="utf-8", errors="replace")
    leaked = sorted(
        name for name, value in secrets.items() if any(p in text for p in secret_parts(value))
    )
    assert not leaked, f"secrets printed by the play (names only): {leaked}"
