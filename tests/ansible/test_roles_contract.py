"""Every role declares its interface: argument specs that match its defaults, prefixed names."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from platformctl.paths import ANSIBLE_DIR

ROLES = sorted(p for p in (ANSIBLE_DIR / "roles").iterdir() if (p / "tasks").is_dir())


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_role_has_argument_specs_covering_its_defaults(role: Path):
    specs_file = role / "meta" / "argument_specs.yml"
    assert specs_file.exists(), f"{role.name}: meta/argument_specs.yml is missing"
    options = _yaml(specs_file)["argument_specs"]["main"].get("options", {})
    defaults_file = role / "defaults" / "main.yml"
    defaults = _yaml(defaults_file) if defaults_file.exists() else {}
    undeclared = sorted(set(defaults) - set(options))
    assert not undeclared, f"{role.name}: defaults not in argument_specs: {undeclared}"
    for name, spec in options.items():
        assert name.startswith(f"{role.name}_"), f"{role.name}: '{name}' lacks the role prefix"
        assert spec.get("description"), f"{role.name}: '{name}' has no description"
        assert spec.get("type"), f"{role.name}: '{name}' has no type"


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_role_has_a_molecule_scenario(role: Path):
    scenario = ANSIBLE_DIR.parent / "molecule" / role.name
    assert (scenario / "molecule.yml").exists(), f"molecule/{role.name}/molecule.yml is missing"
    assert list((scenario / "tests").glob("test_*.py")), (
        f"molecule/{role.name} has no testinfra tests"
    )
