"""No generated secret is ever printed: not by the converge that creates every file (each
change shown with its diff, as `make plan` shows it), not by the idempotent re-run."""

from __future__ import annotations

import os
from pathlib import Path

# Ansible's log of this scenario's plays (molecule.yml: log_path, diff always).
PLAY_LOG = Path(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent")) / "ansible.log"


def test_the_play_log_holds_the_converge_with_its_diffs():
    text = PLAY_LOG.read_text(encoding="utf-8", errors="replace")
    assert "PLAY [" in text and "PLAY RECAP" in text
    # Diffs were on: file contents appear as they are written (the nginx site, for one).
    assert "--- before" in text and "+++ after" in text


def test_no_generated_secret_appears_in_any_play_output(secrets):
    text = PLAY_LOG.read_text(encoding="utf-8", errors="replace")
    leaked = sorted(name for name, value in secrets.items() if str(value) in text)
    assert not leaked, f"secrets printed by the play (names only): {leaked}"
