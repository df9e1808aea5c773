"""The make interface: every public target is in `make help`, everything README.md names is
a target, every molecule scenario runs in `make test`, and recipes stay short."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKEFILES = [ROOT / "Makefile", *sorted((ROOT / "mk").glob("*.mk"))]
# A rule line: "name: ..." but not a variable assignment ("name := ...").
RULE = re.compile(r"^([A-Za-z0-9_.%-]+)\s*:(?!=)")
# Recipes longer than this (physical lines of one command) belong in scripts/.
MAX_COMMAND_LINES = 3


def make(*args: str) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def help_targets() -> set[str]:
    listed = set()
    for line in make("-s", "help").splitlines():
        match = re.match(r"^  (\S+)\s{2,}\S", line)
        if match:
            listed.add(match.group(1))
    return listed


def defined_targets() -> set[str]:
    """Targets the makefiles define, except special (.PHONY) and file targets ($(VAR)/...)."""
    names = set()
    for path in MAKEFILES:
        for line in path.read_text().splitlines():
            match = RULE.match(line)
            if match and not match.group(1).startswith("."):
                names.add(match.group(1))
    return names


def matches(name: str, targets: set[str]) -> bool:
    return any(re.fullmatch(re.escape(t).replace("%", ".+"), name) for t in targets)


def test_every_public_target_is_in_help():
    listed = help_targets()
    public = {t for t in defined_targets() if not t.startswith("_")}
    missing = sorted(public - listed)
    assert not missing, f"targets without a '## ' description (or name them _like_this): {missing}"


def test_targets_named_in_readme_are_in_help():
    readme = (ROOT / "README.md").read_text()
    # `make molecule-<role>` names a pattern target: any scenario stands for the placeholder.
    named = {
        re.sub(r"<[a-z_]+>", "common", name)
        for name in re.findall(r"\bmake ([a-z][a-z0-9_-]*(?:<[a-z_]+>)?)", readme)
    }
    listed = help_targets()
    missing = sorted(n for n in named if not matches(n, listed))
    assert not missing, f"README.md names targets that make help does not list: {missing}"


def scenario_dirs() -> set[str]:
    return {p.parent.name for p in (ROOT / "molecule").glob("*/molecule.yml")}


def test_make_test_runs_every_scenario():
    # Ask make which scenarios `make test` hands to the runner.
    runner = [line for line in make("-n", "test").splitlines() if "run-molecule.sh" in line]
    assert len(runner) == 1, runner
    started = runner[0].split("run-molecule.sh", 1)[1].split()
    missing = sorted(scenario_dirs() - set(started))
    assert not missing, f"make test does not run molecule/{missing}"
    assert len(started) == len(set(started)), f"a scenario runs twice: {started}"


def test_print_scenarios_lists_the_slowest_first():
    order = make("-s", "print-scenarios").split()
    assert set(order) == scenario_dirs()
    # The two full platforms first, then the Airflow roles' scenarios.
    assert order[:2] == ["platform", "emulated"]
    assert set(order[2:4]) == {"airflow_master", "airflow_worker"}


def test_recipes_are_short():
    long_commands = []
    for path in MAKEFILES:
        lines = path.read_text().splitlines()
        i = 0
        while i < len(lines):
            if lines[i].startswith("\t"):
                start = i
                while lines[i].endswith("\\"):
                    i += 1
                if i - start + 1 > MAX_COMMAND_LINES:
                    long_commands.append(f"{path.name}:{start + 1}")
            i += 1
    assert not long_commands, f"move these commands to scripts/: {long_commands}"


@pytest.mark.parametrize(
    "script", sorted(p for p in (ROOT / "scripts").iterdir() if p.is_file()), ids=lambda p: p.name
)
def test_every_script_says_what_it_does(script: Path):
    lines = script.read_text().splitlines()
    if script.suffix == ".py":
        assert lines[0].startswith('"""') and len(lines[0]) > 10, f"{script.name}: no docstring"
        return
    body = lines[1:] if lines[0].startswith("#!") else lines
    header = [line for line in body[:3] if line.startswith("# ") and len(line) > 10]
    assert header, f"{script.name}: starts without a comment saying what it does"


def test_make_knows_the_environments_platformctl_knows():
    """`make up` checks ENV before its setup; its list is platformctl's."""
    from platformctl.environments import ENVIRONMENTS

    text = (ROOT / "mk" / "environments.mk").read_text(encoding="utf-8")
    listed = re.search(r"^ENVS := (.*)$", text, re.M)
    assert listed and listed.group(1).split() == list(ENVIRONMENTS)
