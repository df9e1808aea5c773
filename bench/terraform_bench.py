"""Benchmark (not a timed test): wall time of the emulated apply and of a no-op plan.

Both are reported as ratios to a baseline measured in the same run on the same machine:
`terraform plan` of an empty root (Terraform start-up, no provider). Results go to
bench/results/terraform.json.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from platformctl import terraform  # noqa: E402
from platformctl.terraform_moto import MotoServer  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "terraform.json"


def _timed(fn: Callable[[], object]) -> float:
    started = time.monotonic()
    fn()
    return time.monotonic() - started


def baseline_plan() -> float:
    """Median of three `terraform plan` runs of an empty root."""
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "main.tf").write_text("terraform {}\n")
        subprocess.run(
            ["terraform", "init", "-input=false"], cwd=tmp, check=True, capture_output=True
        )
        runs = sorted(
            _timed(
                lambda: subprocess.run(
                    ["terraform", "plan", "-input=false", "-detailed-exitcode"],
                    cwd=tmp,
                    check=True,
                    capture_output=True,
                )
            )
            for _ in range(3)
        )
    return runs[1]


def main() -> int:
    if shutil.which("terraform") is None or importlib.util.find_spec("moto") is None:
        print("bench-terraform: skipped, terraform or moto[server] is not installed")
        return 0
    os.environ.setdefault("TF_CLI_CONFIG_FILE", str(ROOT / "terraform" / "terraformrc"))
    state = terraform.layout("emulated").local_state
    assert state is not None
    state.unlink(missing_ok=True)
    base = baseline_plan()
    with MotoServer() as url:
        os.environ["MOTO_URL"] = url
        tf = terraform.terraform_for("emulated")
        terraform.init(tf, "emulated")
        apply_s = _timed(lambda: terraform.apply(tf))

        def noop() -> None:
            rc, _out, _ = tf.plan(capture_output=True, input=False)
            if rc != 0:
                raise SystemExit(f"no-op plan was not clean (exit {rc})")

        plan_s = _timed(noop)
        destroy_s = _timed(lambda: terraform.destroy(tf))
    state.unlink(missing_ok=True)
    Path(f"{state}.backup").unlink(missing_ok=True)
    result = {
        "benchmark": "terraform emulated (moto on 127.0.0.1)",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average_1m": os.getloadavg()[0],
        "baseline_empty_plan_s": round(base, 2),
        "emulated_apply_s": round(apply_s, 2),
        "noop_plan_s": round(plan_s, 2),
        "destroy_s": round(destroy_s, 2),
        "apply_vs_baseline": round(apply_s / base, 1),
        "noop_plan_vs_baseline": round(plan_s / base, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
