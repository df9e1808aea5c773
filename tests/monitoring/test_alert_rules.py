"""The monitoring role's alert rules (ansible/roles/monitoring/files/rules): `make lint` runs
scripts/check-alert-rules.sh over them (promtool check rules, promtool test rules), and these
tests run the same script: it passes on the rules as they are, and fails on a rule file with a
syntax error or a rule that no longer does what its unit test says. Every alert carries a
severity, a summary and a description, and has a unit test that expects it to fire."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "ansible" / "roles" / "monitoring" / "files" / "rules"
SCRIPT = ROOT / "scripts" / "check-alert-rules.sh"
PROMTOOL = Path(os.environ.get("PROMTOOL", ROOT / ".cache" / "tools" / "bin" / "promtool"))
SEVERITIES = {"critical", "warning", "info"}

needs_promtool = pytest.mark.skipif(
    not PROMTOOL.exists(), reason="promtool is not installed: make monitoring-tools"
)


def check(rules_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), str(rules_dir)],
        capture_output=True,
        text=True,
        env={**os.environ, "PROMTOOL": str(PROMTOOL)},
        timeout=120,
        check=False,
    )


def rules() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(RULES.glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            found += [(path.name, rule) for rule in group["rules"]]
    return found


def test_make_lint_runs_the_check():
    recipe = (ROOT / "mk" / "lint.mk").read_text()
    assert re.search(r"^\tcd \$\(ROOT\) && bash scripts/check-alert-rules\.sh$", recipe, re.M)


@needs_promtool
def test_the_rules_pass_the_check():
    result = check(RULES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@needs_promtool
@pytest.mark.parametrize(
    ("broken", "said"),
    [
        # YAML: an alert's expression left unterminated.
        (('expr: up{job="node"} == 0', 'expr: "up{job="node"} == 0'), "yaml"),
        # PromQL: a selector that is never closed.
        (('expr: up{job="node"} == 0', 'expr: up{job="node" == 0'), "parse error"),
    ],
    ids=["yaml", "promql"],
)
def test_a_rule_file_with_a_syntax_error_fails_the_check(tmp_path, broken, said):
    rules_dir = tmp_path / "rules"
    shutil.copytree(RULES, rules_dir)
    hosts = rules_dir / "hosts.yml"
    old, new = broken
    assert old in hosts.read_text()
    hosts.write_text(hosts.read_text().replace(old, new))
    result = check(rules_dir)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "hosts.yml" in output and said in output.lower(), output


@needs_promtool
def test_a_rule_that_no_longer_fires_fails_its_unit_test(tmp_path):
    rules_dir = tmp_path / "rules"
    shutil.copytree(RULES, rules_dir)
    hosts = rules_dir / "hosts.yml"
    hosts.write_text(hosts.read_text().replace("> 85", "> 95"))
    result = check(rules_dir)
    assert result.returncode != 0
    assert "DiskAlmostFull" in result.stdout + result.stderr


def test_the_check_says_how_to_get_promtool(tmp_path):
    result = subprocess.run(
        ["bash", str(SCRIPT), str(RULES)],
        capture_output=True,
        text=True,
        env={**os.environ, "PROMTOOL": str(tmp_path / "no-promtool")},
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "make monitoring-tools" in result.stderr


@pytest.mark.parametrize(
    ("file", "rule"), rules(), ids=lambda r: r.get("alert", "") if isinstance(r, dict) else r
)
def test_every_alert_has_severity_and_annotations(file, rule):
    assert "alert" in rule, f"{file}: only alerting rules belong here"
    assert rule.get("labels", {}).get("severity") in SEVERITIES, f"{file}: {rule['alert']}"
    annotations = rule.get("annotations", {})
    assert annotations.get("summary") and annotations.get("description"), rule["alert"]


def test_every_alert_has_a_unit_test_that_makes_it_fire():
    tested = set()
    for path in (RULES / "tests").glob("*.yml"):
        for case in yaml.safe_load(path.read_text())["tests"]:
            tested |= {t["alertname"] for t in case["alert_rule_test"] if t.get("exp_alerts")}
    missing = sorted({rule["alert"] for _, rule in rules()} - tested)
    assert not missing, f"alerts without a unit test that expects them to fire: {missing}"
