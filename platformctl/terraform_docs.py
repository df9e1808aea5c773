"""Inputs/outputs tables in each module README, generated from the code so they cannot drift.

`python -m platformctl.terraform_docs` rewrites the block between the markers;
`--check` exits 1 when a README is stale (run by tests/terraform/test_docs.py).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "terraform" / "modules"
BEGIN = "<!-- BEGIN GENERATED: inputs/outputs -->"
END = "<!-- END GENERATED -->"

_BLOCK = re.compile(r'^(variable|output) "([^"]+)" \{\n(.*?)^\}', re.M | re.S)
_DESC = re.compile(r'^  description\s*=\s*"((?:[^"\\]|\\.)*)"', re.M)
_DESC_HEREDOC = re.compile(r"^  description\s*=\s*<<-?EOT\n(.*?)^\s*EOT", re.M | re.S)
_TYPE = re.compile(r"^  type\s*=\s*(.+)$", re.M)
_DEFAULT = re.compile(r"^  default\s*=\s*(.+)$", re.M)


def _blocks(path: Path, kind: str) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    return [(m.group(2), m.group(3)) for m in _BLOCK.finditer(text) if m.group(1) == kind]


def _description(body: str) -> str:
    m = _DESC.search(body)
    if m:
        return m.group(1).replace('\\"', '"')
    m = _DESC_HEREDOC.search(body)
    return " ".join(m.group(1).split()) if m else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").strip()


def render(module: Path) -> str:
    rows = ["### Inputs", "", "| Name | Description | Type | Default |", "|---|---|---|---|"]
    for name, body in _blocks(module / "variables.tf", "variable"):
        typ = _TYPE.search(body)
        default = _DEFAULT.search(body)
        typ_s = typ.group(1).strip() if typ else "any"
        if typ_s.endswith("({"):
            typ_s = typ_s[:-1] + "{...}"
            typ_s += ")" * (typ_s.count("(") - typ_s.count(")"))
        dflt = default.group(1).strip() if default else "required"
        if dflt.endswith("{") or dflt.endswith("["):
            dflt = "see variables.tf"
        rows.append(
            f"| `{name}` | {_cell(_description(body))} | `{_cell(typ_s)}` | `{_cell(dflt)}` |"
        )
    rows += ["", "### Outputs", "", "| Name | Description |", "|---|---|"]
    for name, body in _blocks(module / "outputs.tf", "output"):
        rows.append(f"| `{name}` | {_cell(_description(body))} |")
    return "\n".join([BEGIN, *rows, END])


def update(module: Path, check: bool) -> bool:
    """Rewrite (or check) the generated block of one README; True when it was up to date."""
    readme = module / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + render(module) + text[end:]
    if new == text:
        return True
    if not check:
        readme.write_text(new, encoding="utf-8")
    return False


def main(argv: list[str] | None = None) -> int:
    """Regenerate every module README; with --check, report stale ones and exit 1."""
    check = "--check" in (sys.argv[1:] if argv is None else argv)
    stale = [m.name for m in sorted(MODULES.iterdir()) if m.is_dir() and not update(m, check)]
    if check and stale:
        print(
            f"stale README tables in: {', '.join(stale)} (run python -m platformctl.terraform_docs)"
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
