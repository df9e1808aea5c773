"""Module READMEs carry inputs/outputs tables generated from the code: they must not drift."""

from __future__ import annotations

from pathlib import Path

from platformctl.terraform_docs import MODULES, main, render


def test_every_module_has_the_conventional_files() -> None:
    for module in sorted(p for p in MODULES.iterdir() if p.is_dir()):
        for name in ("versions.tf", "variables.tf", "outputs.tf", "README.md"):
            assert (module / name).is_file(), f"{module.name} lacks {name}"
        assert list((module / "tests").glob("*.tftest.hcl")), f"{module.name} has no tftest"
        assert 'mock_provider "aws"' in "".join(
            p.read_text() for p in (module / "tests").glob("*.tftest.hcl")
        )


def test_readme_tables_are_current() -> None:
    assert main(["--check"]) == 0


def test_every_variable_and_output_is_described() -> None:
    for module in sorted(p for p in MODULES.iterdir() if p.is_dir()):
        table = render(Path(module))
        for line in table.splitlines():
            if line.startswith("| `"):
                assert line.split("|")[2].strip(), f"{module.name}: undescribed {line}"
