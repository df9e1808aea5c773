"""What roles take from the repository reaches them as variables, set in one place for
playbooks (ansible/group_vars/all/repository.yml) and the same for molecule's role scenarios
(.config/molecule/config.yml), which do not read ansible/group_vars."""

from __future__ import annotations

import yaml

from platformctl.paths import ANSIBLE_DIR, REPO_ROOT

GROUP_VARS = ANSIBLE_DIR / "group_vars" / "all" / "repository.yml"
MOLECULE_CONFIG = REPO_ROOT / ".config" / "molecule" / "config.yml"


def _group_vars() -> dict:
    return yaml.safe_load(GROUP_VARS.read_text())


def _molecule() -> dict:
    return yaml.safe_load(MOLECULE_CONFIG.read_text())["provisioner"]


def test_molecule_sets_the_same_paths_as_the_playbooks():
    playbooks = _group_vars()
    molecule = _molecule()["inventory"]["group_vars"]["all"]
    assert molecule.pop("platform_repository_dir") == "${MOLECULE_PROJECT_DIRECTORY}"
    playbooks.pop("platform_repository_dir")
    assert molecule == playbooks


def test_make_and_molecule_export_the_repository():
    assert "PLATFORM_REPOSITORY_DIR" in _group_vars()["platform_repository_dir"]
    assert _molecule()["env"]["PLATFORM_REPOSITORY_DIR"] == "${MOLECULE_PROJECT_DIRECTORY}"
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert "export PLATFORM_REPOSITORY_DIR := $(ROOT)" in makefile


def test_each_path_is_a_declared_role_input_without_a_default():
    for name, value in _group_vars().items():
        if name == "platform_repository_dir":
            continue
        assert value.startswith("{{ platform_repository_dir }}/"), name
        role = next(r for r in (ANSIBLE_DIR / "roles").iterdir() if name.startswith(f"{r.name}_"))
        specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())
        options = {k: v for e in specs["argument_specs"].values() for k, v in e["options"].items()}
        assert name in options, f"{name} is not an input of role {role.name}"
        defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text())
        assert defaults.get(name) == "", f"{role.name}: {name} must have an empty default"
