"""Every role has a README whose variables table is generated from meta/argument_specs.yml
(scripts/role_docs.py, `make docs`): it must not drift from what Ansible validates."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from platformctl.paths import REPO_ROOT

_spec = importlib.util.spec_from_file_location("role_docs", REPO_ROOT / "scripts" / "role_docs.py")
role_docs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(role_docs)

# READMEs without the generated block yet, with their owners (strict: the test fails once the
# block is there, so the entry is removed).
PENDING: dict[str, str] = {}


@pytest.mark.parametrize("role", role_docs.roles(), ids=lambda p: p.name)
def test_readme_table_is_current(role: Path, request: pytest.FixtureRequest):
    if role.name in PENDING:
        request.applymarker(pytest.mark.xfail(strict=True, reason=PENDING[role.name]))
    state = role_docs.status(role)
    assert state == "current", f"{role.name}: README {state}; run make docs"


def test_every_role_has_a_readme():
    roles = sorted(p for p in (REPO_ROOT / "ansible" / "roles").iterdir() if p.is_dir())
    missing = [r.name for r in roles if not (r / "README.md").is_file()]
    assert not missing, f"roles without README.md: {missing}"


def test_the_table_follows_the_specs(tmp_path: Path):
    role = tmp_path / "demo"
    (role / "meta").mkdir(parents=True)
    (role / "defaults").mkdir()
    (role / "meta" / "argument_specs.yml").write_text(
        "argument_specs:\n"
        "  main:\n"
        "    options:\n"
        "      demo_port: {type: int, default: 80, description: Port C(nginx) listens on.}\n"
        "      demo_key: {type: str, required: true, no_log: true, description: A | key.}\n"
        "      demo_addr: {type: str, description: Address.}\n"
        "      demo_dirs:\n"
        "        type: list\n"
        "        elements: dict\n"
        "        default: []\n"
        "        description: Directories.\n"
        "        options:\n"
        "          path: {type: path, required: true, description: The directory.}\n"
    )
    (role / "defaults" / "main.yml").write_text(
        "demo_port: 80\ndemo_addr: '{{ ansible_default_ipv4.address }}'\n"
    )
    table = role_docs.render(role)
    assert "| `demo_port` | Port `nginx` listens on. | int | `80` |" in table
    assert "| `demo_key` | A \\| key. | str | **required** |" in table
    assert "| `demo_addr` | Address. | str | `{{ ansible_default_ipv4.address }}` |" in table
    assert "| `demo_dirs[].path` | The directory. | path | **required** |" in table
    (role / "README.md").write_text(f"# demo\n\n{role_docs.BEGIN}\nold\n{role_docs.END}\n")
    assert role_docs.status(role) == "stale"
    assert role_docs.update(role) and role_docs.status(role) == "current"
