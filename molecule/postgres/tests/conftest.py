"""Puts molecule/shared on sys.path for the checks the scenarios share (unit_sandbox)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
