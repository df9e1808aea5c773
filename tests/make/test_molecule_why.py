"""scripts/molecule_why.py: the reason a scenario failed, out of molecule's framed, wrapped log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "molecule_why.py"

# As molecule 25 prints a failed `command` task: ANSI colours, a frame, wrapped at spaces.
RED, DIM, OFF = "\x1b[31m", "\x1b[2m", "\x1b[0m"
FRAMED = f"  {DIM}{RED}│{OFF} {RED}"
LOG = "\n".join(
    [
        f"  {DIM}│{OFF} TASK [Apply the AWS root against moto] ****",
        f'{FRAMED}fatal: [localhost]: FAILED! => {{"changed": true, "cmd": ["python",{OFF}',
        f'{FRAMED}  "-m", "platformctl"], "msg": "non-zero return code", "rc": 1,{OFF}',
        f'{FRAMED}  "stderr": "platformctl: error: moto does not answer", "stdout":{OFF}',
        f'{FRAMED}  "TASK [Wait for SSH]\\nfatal: [moto]: FAILED! =>'
        f' {{\\"msg\\": \\"Timeout\\"}}\\nPLAY RECAP"}}{OFF}',
        f"  {DIM}│{OFF} ",
        f"  {DIM}│{OFF} TASK [Something ignored] ****",
        f'{FRAMED}fatal: [localhost]: FAILED! => {{"msg": "expected"}}{OFF}',
        f"  {DIM}│{OFF} ...ignoring",
        "FAILED - RETRYING: [airflow-master-1]: Wait for the endpoint (3 retries left).",
        "E       AssertionError: the DAG run failed",
        "FAILED molecule/platform/tests/test_dags.py::test_smoke - AssertionError",
    ]
)


def why(tmp_path: Path, text: str) -> list[str]:
    log = tmp_path / "scenario.log"
    log.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(log)], capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def test_a_failed_task_shows_its_message_stderr_and_the_playbook_it_ran(tmp_path: Path) -> None:
    lines = why(tmp_path, LOG)
    assert lines[0] == "task [Apply the AWS root against moto] failed on localhost:"
    assert "  msg: non-zero return code" in lines
    assert "    platformctl: error: moto does not answer" in lines
    assert any("fatal: [moto]" in line and "Timeout" in line for line in lines)


def test_ignored_failures_and_retries_are_not_reasons_but_pytest_failures_are(
    tmp_path: Path,
) -> None:
    lines = why(tmp_path, LOG)
    assert not any("Something ignored" in line or "RETRYING" in line for line in lines)
    assert "E       AssertionError: the DAG run failed" in lines
    assert lines[-1].startswith("FAILED molecule/platform/tests/test_dags.py::test_smoke")


def test_a_log_without_failures_says_so(tmp_path: Path) -> None:
    assert why(tmp_path, "PLAY RECAP\nok=3 changed=0 failed=0\n") == [
        "(no failed task or test in the log)"
    ]


# The format this project's scenarios print (callback_result_format=yaml), wrapped by molecule.
YAML_LOG = "\n".join(
    f"  {DIM}│{OFF} {line}"
    for line in [
        "TASK [Apply the AWS root against moto, make the stand-in hosts, the",
        "  inventory, the secrets] ***",
        "fatal: [localhost]: FAILED! =>",
        "    changed: true",
        "    msg: non-zero return code",
        "    rc: 2",
        "    stderr: |4-",
        "",
        "        Error: waiting for SQS Queue",
        "  (http://127.0.0.1:5091/q) attribute (Policy) create: context canceled",
        "        platformctl: terraform apply failed (exit 1)",
        "    stderr_lines: <omitted>",
        "    stdout: |-",
        "        aws_sqs_queue_policy.ingest: Still creating... [9m50s elapsed]",
        "    stdout_lines: <omitted>",
        "",
        "PLAY RECAP *****",
    ]
)


def test_a_yaml_result_is_read_with_its_wrapped_lines_joined(tmp_path: Path) -> None:
    lines = why(tmp_path, YAML_LOG)
    assert lines[0] == (
        "task [Apply the AWS root against moto, make the stand-in hosts, the inventory,"
        " the secrets] failed on localhost:"
    )
    assert "  msg: non-zero return code" in lines
    assert (
        "    Error: waiting for SQS Queue (http://127.0.0.1:5091/q) attribute (Policy) create:"
        " context canceled" in lines
    )
    assert "    aws_sqs_queue_policy.ingest: Still creating... [9m50s elapsed]" in lines
