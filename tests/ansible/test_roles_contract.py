"""Every role keeps the house contract: a declared interface (argument specs that match its
defaults, prefixed names), a molecule scenario, one task-file naming, nothing taken from
outside its directory except through variables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from platformctl.paths import ANSIBLE_DIR

ROLES = sorted(p for p in (ANSIBLE_DIR / "roles").iterdir() if (p / "tasks").is_dir())
MOLECULE_DIR = ANSIBLE_DIR.parent / "molecule"

# A base role that is only ever imported by other roles is tested through their scenarios:
# role -> the roles that import it, each of which has its own scenario.
COVERED_BY_SCENARIOS_OF = {"airflow_common": ("airflow_master", "airflow_worker")}

# One task-file naming across roles: validate.yml, install.yml, configure.yml, services.yml,
# plus files named after their concern (redis.yml, tls.yml, backup.yml, ...). These names
# mean one of the four and are not used.
SYNONYMS = {
    "service.yml": "services.yml",
    "config.yml": "configure.yml",
    "configuration.yml": "configure.yml",
    "binary.yml": "install.yml",
    "packages.yml": "install.yml",
    "setup.yml": "install.yml",
    "validation.yml": "validate.yml",
    "checks.yml": "validate.yml",
}
# Roles whose renames are pending with their owners (see the strict xfail below).
NAMING_PENDING: dict[str, str] = {}


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


def _entry_points(role: Path) -> dict[str, dict]:
    return _yaml(role / "meta" / "argument_specs.yml")["argument_specs"]


def _imports(role: Path, other: str) -> bool:
    """Whether role's tasks import or include the role `other`."""
    pattern = re.compile(
        r"ansible\.builtin\.(import|include)_role:\s*\n\s+name:\s*" + re.escape(other) + r"\b"
    )
    return any(pattern.search(p.read_text()) for p in (role / "tasks").glob("*.yml"))


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_role_has_argument_specs_covering_its_defaults(role: Path):
    specs_file = role / "meta" / "argument_specs.yml"
    assert specs_file.exists(), f"{role.name}: meta/argument_specs.yml is missing"
    entry_points = _entry_points(role)
    assert "main" in entry_points, f"{role.name}: argument_specs has no main entry point"
    declared: set[str] = set()
    for entry, spec in entry_points.items():
        for name, option in (spec.get("options") or {}).items():
            where = f"{role.name} ({entry})"
            assert name.startswith(f"{role.name}_"), f"{where}: '{name}' lacks the role prefix"
            assert option.get("description"), f"{where}: '{name}' has no description"
            assert option.get("type"), f"{where}: '{name}' has no type"
            declared.add(name)
    defaults_file = role / "defaults" / "main.yml"
    defaults = _yaml(defaults_file) if defaults_file.exists() else {}
    undeclared = sorted(set(defaults) - declared)
    assert not undeclared, f"{role.name}: defaults not in argument_specs: {undeclared}"


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_role_has_a_molecule_scenario(role: Path):
    covering = COVERED_BY_SCENARIOS_OF.get(role.name, (role.name,))
    for name in covering:
        scenario = MOLECULE_DIR / name
        assert (scenario / "molecule.yml").exists(), f"molecule/{name}/molecule.yml is missing"
        assert list((scenario / "tests").glob("test_*.py")), f"molecule/{name} has no tests"
        if name != role.name:
            assert _imports(ANSIBLE_DIR / "roles" / name, role.name), (
                f"{role.name} counts as tested by molecule/{name}, but role {name} does not "
                f"import it: give {role.name} a scenario of its own"
            )


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_task_files_follow_the_naming(role: Path, request: pytest.FixtureRequest):
    if role.name in NAMING_PENDING:
        request.applymarker(
            pytest.mark.xfail(strict=True, reason=f"pending: {NAMING_PENDING[role.name]}")
        )
    wrong = {p.name: SYNONYMS[p.name] for p in (role / "tasks").glob("*.yml") if p.name in SYNONYMS}
    assert not wrong, f"{role.name}: rename task files {wrong}"


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_role_takes_nothing_from_outside_its_directory(role: Path):
    # What a role needs from the repository reaches it as a variable
    # (ansible/group_vars/all/repository.yml), never as a path relative to the role.
    reaching = [
        str(p.relative_to(role))
        for p in role.rglob("*")
        if p.is_file() and re.search(r"role_path\s*\}\}/\.\.", p.read_text(errors="replace"))
    ]
    assert not reaching, f"{role.name}: paths outside the role in {reaching}"
