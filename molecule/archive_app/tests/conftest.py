"""Puts molecule/shared on sys.path for the checks the scenarios share (container_checks)
and provides its ``address`` fixture to this scenario's tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))

from container_checks import address  # noqa: F401 - a fixture, used by name
