"""No generated secret is ever printed: not by the converge that creates every file (each
change shown with its diff, as `make plan` shows it), not by the idempotent re-run."""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml
from platform_api import SECRETS

# Ansible's log of this scenario's plays (molecule.yml: log_path, diff always).
PLAY_LOG = Path(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent")) / "ansible.log"


def test_the_play_log_holds_the_converge_with_its_diffs():
    text = PLAY_LOG.read_text(encoding="utf-8", errors="replace")
    assert "PLAY [" in text and "PLAY RECAP" in text
    # Diffs were on: file contents appear as they are written (the nginx site, for one).
    assert "--- before" in text and "+++ after" in text


def secret_parts(value: object) -> list[str]:
    """What of a secret must never be printed: the value, or for a PEM bundle (the platform
    CA) each line of its private key. The certificate beside it is public, and so is the
    public key that both hold: a key line that the certificate also has is not secret."""
    text = str(value)
    keys = re.findall(r"-----BEGIN PRIVATE KEY-----(.*?)-----END", text, re.S)
    public = "".join(re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END", text, re.S))
    lines = [line for key in keys for line in key.split() if len(line) >= 20]
    return [line for line in lines if line not in public] if keys else [text]


def leaked_secret_names() -> list[str]:
    """Names of the generated secrets found in the play log. The secrets stay inside this
    function: a failing test's traceback shows its arguments, and it must not show them."""
    secrets = yaml.safe_load(SECRETS.read_text())
    text = PLAY_LOG.read_text(encoding="utf-8", errors="replace")
    return sorted(
        name for name, value in secrets.items() if any(p in text for p in secret_parts(value))
    )


def test_no_generated_secret_appears_in_any_play_output():
    leaked = leaked_secret_names()
    assert not leaked, f"secrets printed by the play (names only): {leaked}"
