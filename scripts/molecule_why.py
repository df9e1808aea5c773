"""Why a molecule scenario failed, from its log, in a few lines.

Prints, for each failed Ansible task, the task's name, its message and the last lines of its
stderr and stdout (a failed `command` task's output is one long JSON value in the log, wrapped
and framed by molecule), then pytest's failures. Standard library only: it runs before and
after the project's venv exists.

    scripts/molecule_why.py .cache/molecule-logs/SCENARIO.log
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*m")
FRAME = re.compile(r"^\s*[│└┌]\s?")
TASK = re.compile(r"^TASK \[(?P<name>[^\]]+)\]")
FATAL = re.compile(r"(fatal|failed): \[(?P<host>[^\]]+)\]: FAILED! =>\s*(?P<rest>.*)$")
CONTINUED = re.compile(r"^  \S")
PYTEST = re.compile(r"^(FAILED|ERROR) \S+\.py|^E +\S")
TAIL_STDERR, TAIL_STDOUT, WIDTH = 15, 25, 300


def _plain(line: str) -> str:
    return FRAME.sub("", ANSI.sub("", line.rstrip("\n")))


def _unwrapped(lines: list[str]) -> list[str]:
    """molecule wraps long lines at spaces and indents the rest by two: join them again."""
    out: list[str] = []
    for line in lines:
        if out and CONTINUED.match(line):
            out[-1] += " " + line.strip()
        else:
            out.append(line)
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _yaml_result(lines: list[str], start: int) -> dict[str, object]:
    """The top-level keys of the YAML result printed under line `start` (ansible's
    callback_result_format=yaml): plain values and block scalars (stdout, stderr)."""
    result: dict[str, object] = {}
    index = start + 1
    while index < len(lines) and (not lines[index].strip() or _indent(lines[index]) >= 4):
        found = re.match(r"^ {4}(\w+): ?(.*)$", lines[index])
        index += 1
        if not found:
            continue
        key, rest = found.groups()
        if rest.startswith(("|", ">")):
            block = []
            while index < len(lines) and (not lines[index].strip() or _indent(lines[index]) > 4):
                block.append(lines[index])
                index += 1
            result[key] = textwrap.dedent("\n".join(block))
        else:
            result[key] = rest.strip("'\"")
    return result


def _result(lines: list[str], start: int, rest: str) -> dict[str, object] | str:
    """The task result printed after 'FAILED! =>': JSON on the line, or YAML below it."""
    if not rest.strip():
        return _yaml_result(lines, start)
    try:
        value = json.loads(rest)
    except json.JSONDecodeError:
        return rest
    return value if isinstance(value, dict) else rest


def _ignored(lines: list[str], start: int) -> bool:
    """A failure the play ignores is followed by '...ignoring' once its value ends."""
    for line in lines[start + 1 : start + 400]:
        if "...ignoring" in line:
            return True
        if TASK.search(line) or "PLAY RECAP" in line:
            return False
    return False


def _tail(value: object, count: int) -> list[str]:
    text = value if isinstance(value, str) else ""
    return [line[:WIDTH] for line in text.splitlines() if line.strip()][-count:]


def reasons(log: str) -> list[str]:
    lines = _unwrapped([_plain(line) for line in log.splitlines()])
    out: list[str] = []
    task = "?"
    for index, line in enumerate(lines):
        if found := TASK.search(line):
            task = found["name"]
        if (found := FATAL.search(line)) and not _ignored(lines, index):
            result = _result(lines, index, found["rest"])
            out.append(f"task [{task}] failed on {found['host']}:")
            if not isinstance(result, dict):
                out.append(f"  {result[: WIDTH * 2]}")
                continue
            out.append(f"  msg: {str(result.get('msg', ''))[: WIDTH * 2]}")
            # A task that ran a playbook (platformctl) carries that playbook's failures.
            nested = str(result.get("stdout", "")).splitlines()
            failed_at = [i for i, text in enumerate(nested) if FATAL.search(text)]
            if failed_at:
                out.append("  the last failed task in its output:")
                out.extend(f"    {text[:WIDTH]}" for text in nested[failed_at[-1] :][:12])
            for key, count in (("stderr", TAIL_STDERR), ("stdout", TAIL_STDOUT)):
                tail = _tail(result.get(key), count)
                if tail:
                    out.append(f"  {key} (last {len(tail)} lines):")
                    out.extend(f"    {text}" for text in tail)
        elif PYTEST.search(line):
            out.append(line[:WIDTH])
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} LOG", file=sys.stderr)
        return 2
    found = reasons(Path(argv[1]).read_text(encoding="utf-8", errors="replace"))
    print("\n".join(found[-80:]) if found else "(no failed task or test in the log)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
