"""Variables tables in each role's README, generated from meta/argument_specs.yml.

Every role under ansible/roles declares its interface in meta/argument_specs.yml; its
README.md carries that interface as a table between the two markers below, so the table
cannot drift from what Ansible validates. Defaults come from the argument specs, else from
defaults/main.yml (computed defaults such as the host's address). A role with more than one
entry point (tasks_from) gets one table per entry point.

    .venv/bin/python scripts/role_docs.py            rewrite the tables (make docs)
    .venv/bin/python scripts/role_docs.py --check    exit 1 when a table is stale or missing

tests/ansible/test_role_docs.py runs the check.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
ROLES = ROOT / "ansible" / "roles"
BEGIN = "<!-- BEGIN GENERATED: variables (make docs) -->"
END = "<!-- END GENERATED -->"
# Longer defaults are shown as a pointer to defaults/main.yml rather than squeezed into a cell.
MAX_DEFAULT_CHARS = 60

_MARKUP = re.compile(r"\b([CIBV])\(([^)]*)\)")


def _load(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _text(value: str | list[str] | None) -> str:
    """One line of Markdown from an argument spec description (a string or a list of them)."""
    if value is None:
        return ""
    joined = " ".join(value) if isinstance(value, list) else str(value)
    joined = _MARKUP.sub(lambda m: f"*{m[2]}*" if m[1] == "I" else f"`{m[2]}`", joined)
    return " ".join(joined.split()).replace("|", "\\|")


def _type(spec: dict[str, Any]) -> str:
    kind = spec.get("type", "str")
    if kind == "list" and spec.get("elements"):
        kind = f"list of {spec['elements']}"
    if spec.get("choices"):
        kind += " (" + ", ".join(str(c) for c in spec["choices"]) + ")"
    return kind


def _value(value: Any) -> str:
    if isinstance(value, str):
        shown = " ".join(value.split())
    else:
        shown = json.dumps(value, separators=(", ", ": "))
    if len(shown) > MAX_DEFAULT_CHARS:
        return "see `defaults/main.yml`"
    return "`" + shown.replace("|", "\\|") + "`" if shown else '`""`'


def _default(name: str, spec: dict[str, Any], defaults: dict[str, Any]) -> str:
    if spec.get("required"):
        return "**required**"
    if "default" in spec:
        return _value(spec["default"])
    if name in defaults:
        return _value(defaults[name])
    return "none"


def _rows(name: str, spec: dict[str, Any], defaults: dict[str, Any]) -> list[str]:
    rows = [
        f"| `{name}` | {_text(spec.get('description'))} | {_type(spec)} | "
        f"{_default(name, spec, defaults)} |"
    ]
    suffix = "[]." if spec.get("type") == "list" else "."
    for sub_name, sub_spec in (spec.get("options") or {}).items():
        rows += _rows(f"{name}{suffix}{sub_name}", sub_spec, {})
    return rows


def render(role: Path) -> str:
    """The generated block of one role's README: a table per entry point, main first."""
    entry_points = _load(role / "meta" / "argument_specs.yml").get("argument_specs", {})
    defaults = _load(role / "defaults" / "main.yml")
    lines = [BEGIN]
    for entry, spec in sorted(entry_points.items(), key=lambda e: (e[0] != "main", e[0])):
        if len(entry_points) > 1 or entry != "main":
            how = "" if entry == "main" else f" (`tasks_from: {entry}`)"
            lines += [f"#### Entry point `{entry}`{how}", ""]
            if spec.get("short_description"):
                lines += [_text(spec["short_description"]), ""]
        options = spec.get("options") or {}
        if not options:
            lines += ["No variables.", ""]
            continue
        lines += ["| Variable | Description | Type | Default |", "|---|---|---|---|"]
        for name, option in options.items():
            lines += _rows(name, option, defaults)
        lines.append("")
    lines[-1] = END
    return "\n".join(lines)


def status(role: Path) -> str:
    """'current', 'stale', 'no readme' or 'no markers' for one role's README."""
    readme = role / "README.md"
    if not readme.is_file():
        return "no readme"
    text = readme.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        return "no markers"
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return "current" if text[start:end] == render(role) else "stale"


def update(role: Path) -> bool:
    """Rewrite the generated block of one role's README; False when it has no block."""
    if status(role) in ("no readme", "no markers"):
        return False
    readme = role / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    readme.write_text(text[:start] + render(role) + text[end:], encoding="utf-8")
    return True


def roles() -> list[Path]:
    return sorted(p for p in ROLES.iterdir() if (p / "meta" / "argument_specs.yml").is_file())


def main(argv: list[str] | None = None) -> int:
    """Rewrite every role's table; with --check, list the READMEs to fix and exit 1."""
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        problems = [f"{r.name} ({s})" for r in roles() if (s := status(r)) != "current"]
        if problems:
            print(
                "role READMEs to fix: " + ", ".join(problems) + ". A README needs the markers "
                f"{BEGIN} ... {END}; then run make docs."
            )
            return 1
        return 0
    for role in roles():
        if not update(role):
            print(f"{role.name}: README.md has no generated block ({status(role)}); skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
