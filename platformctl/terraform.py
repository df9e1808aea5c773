"""Terraform wrapper behind `make plan|apply|destroy|bootstrap ENV=...` for cloud environments.

Built on python-terraform 0.10.1, working around its known defects:
- `destroy()` passes `-force` (removed in Terraform 0.15): call it with
  `force=IsNotFlagged, auto_approve=IsFlagged`;
- `apply()` without `skip_plan=True` waits for approval and fails with EOF;
- it appends the working directory as a positional argument when one is given, which
  Terraform >= 0.15 rejects: we never pass `dir_or_plan` and set `working_dir` instead.

Layout: one root configuration per kind of target, environments are data.
- terraform/roots/aws: the root every AWS environment (dev, stage, prod) plans and applies;
- terraform/roots/emulated: the same main.tf/variables.tf/outputs.tf with the provider
  pointed at a moto server on 127.0.0.1 (`MOTO_URL`, default http://127.0.0.1:5000);
- terraform/environments/<env>/: `<env>.tfvars` (committed), `backend.hcl` (written by
  `make bootstrap`), and the environment's working data: its `.terraform` data directory
  (and, for emulated, its local state).

Every command runs with `TF_DATA_DIR=terraform/environments/<env>/.terraform` rather than
in one shared `.terraform` or a workspace: each environment has its own state bucket and
key (so workspaces, which share one backend configuration, do not fit), and a data
directory that remembers only its own backend means switching ENV can never plan one
environment's inputs against another's state.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_terraform import IsFlagged, IsNotFlagged, Terraform

from platformctl.environments import ENVIRONMENTS
from platformctl.errors import PlatformError, TerraformError
from platformctl.paths import state_dir
from platformctl.terraform_moto import check_moto, moto_url

ROOT = Path(__file__).resolve().parent.parent
TF_DIR = ROOT / "terraform"
ROOTS_DIR = TF_DIR / "roots"
ENVIRONMENTS_DIR = TF_DIR / "environments"
# Terraform environments and the root each one uses, in the order of platformctl.environments.
ROOT_OF = {name: env.terraform_root for name, env in ENVIRONMENTS.items() if env.terraform_root}
ENVS = tuple(ROOT_OF)
ACTIONS = ("plan", "apply", "provision", "destroy", "bootstrap", "inventory", "workers")
DEFAULT_PLUGIN_DIR = Path("/opt/tf-plugins")
# Against moto most of the wall time is the provider's fixed polling delays, not work:
# more concurrent operations cut it; AWS environments keep Terraform's default (10).
EMULATED_PARALLELISM = 30


def plugin_dir() -> Path | None:
    """Local provider mirror: $TF_PLUGIN_DIR, else /opt/tf-plugins when it exists."""
    configured = os.environ.get("TF_PLUGIN_DIR")
    if configured:
        path = Path(configured)
        if not path.is_dir():
            raise TerraformError(f"TF_PLUGIN_DIR={configured} is not a directory")
        return path
    return DEFAULT_PLUGIN_DIR if DEFAULT_PLUGIN_DIR.is_dir() else None


def _shown(path: Path) -> str:
    """A path as messages print it: relative to the repository when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


@dataclass(frozen=True)
class Layout:
    """Where one environment's configuration, inputs and working data live."""

    env: str
    root: Path  # the root configuration (terraform/roots/<kind>)
    env_dir: Path  # terraform/environments/<env>: inputs (and an AWS env's working data)

    @property
    def tfvars(self) -> Path:
        return self.env_dir / f"{self.env}.tfvars"

    @property
    def backend_config(self) -> Path | None:
        """backend.hcl of an AWS environment; None for emulated (local state)."""
        return None if self.env == "emulated" else self.env_dir / "backend.hcl"

    @property
    def work_dir(self) -> Path:
        """Working data: the environment directory for AWS environments; for emulated AWS,
        beside its hosts' keys in the state directory (outside the repository, and a test
        copy with its own PLATFORM_STATE_DIR never shares it), removed by `make down`."""
        if self.env == "emulated":
            return state_dir("emulated") / "terraform"
        return self.env_dir

    @property
    def data_dir(self) -> Path:
        return self.work_dir / ".terraform"

    @property
    def local_state(self) -> Path | None:
        """The emulated environment's state file; AWS environments keep state in S3."""
        return self.work_dir / "terraform.tfstate" if self.env == "emulated" else None

    @property
    def overrides(self) -> Path:
        """Inputs this machine sets over the tfvars (emulated: a test copy's own VPC range)."""
        return self.work_dir / "overrides.tfvars.json"


def layout(env: str) -> Layout:
    """The layout of `env`, checked: known name, root present, tfvars present."""
    if env not in ROOT_OF:
        raise TerraformError(f"unknown environment {env!r}; choose one of: {', '.join(ENVS)}")
    found = Layout(env, ROOTS_DIR / ROOT_OF[env], ENVIRONMENTS_DIR / env)
    if not found.root.is_dir():
        raise TerraformError(f"missing Terraform root {_shown(found.root)}")
    if not found.tfvars.is_file():
        raise TerraformError(f"missing {_shown(found.tfvars)}: an environment is its <env>.tfvars")
    return found


def check_tfvars(paths: Layout) -> None:
    """The tfvars must name its own environment: a copied dev.tfvars left as `environment =
    "dev"` in stage/ would otherwise create dev-named resources from the stage state."""
    text = paths.tfvars.read_text(encoding="utf-8")
    match = re.search(r'^environment\s*=\s*"([^"]*)"', text, re.M)
    if match is None or match.group(1) != paths.env:
        found = f'sets environment = "{match.group(1)}"' if match else "does not set environment"
        raise TerraformError(
            f'{_shown(paths.tfvars)} {found}; it must say environment = "{paths.env}"'
        )


def check_aws_credentials(env: str) -> None:
    """Fail with one line when boto3's chain (the one Terraform also follows) finds nothing."""
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        credentials = boto3.Session().get_credentials()
    except BotoCoreError as exc:
        raise TerraformError(f"AWS credentials for {env}: {exc}") from None
    if credentials is None:
        raise TerraformError(
            f"no AWS credentials for ENV={env}: set AWS_PROFILE (after `aws sso login`) or "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run the command again"
        )


class _Terraform(Terraform):
    """python-terraform copies os.environ for every command and takes no per-handle
    environment: set this environment's TF_DATA_DIR for the duration of each command."""

    def __init__(self, extra_env: dict[str, str], **kwargs: Any) -> None:
        self.extra_env = extra_env
        super().__init__(**kwargs)

    def cmd(self, cmd: str, *args: Any, **kwargs: Any) -> Any:
        saved = {name: os.environ.get(name) for name in self.extra_env}
        os.environ.update(self.extra_env)
        try:
            return super().cmd(cmd, *args, **kwargs)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _prepare_process_env() -> None:
    """Terraform warns on every call when TF_CLI_CONFIG_FILE points at nothing: use ours."""
    configured = os.environ.get("TF_CLI_CONFIG_FILE")
    if not configured or not Path(configured).is_file():
        os.environ["TF_CLI_CONFIG_FILE"] = str(TF_DIR / "terraformrc")
    os.environ.setdefault("TF_IN_AUTOMATION", "1")


def require_terraform() -> str:
    binary = shutil.which("terraform")
    if binary is None:
        raise TerraformError("terraform is not on PATH (Terraform 1.11 is expected)")
    return binary


def terraform_for(env: str, moto: str | None = None) -> Terraform:
    """A python-terraform handle for the environment root, with its tfvars and variables.

    `moto`: the emulated environment's moto endpoint (default: $MOTO_URL)."""
    binary = require_terraform()
    paths = layout(env)
    check_tfvars(paths)
    variables: dict[str, str] = {}
    var_files = [str(paths.tfvars)]
    if env == "emulated":
        url = moto or moto_url()
        check_moto(url)
        variables["moto_url"] = url
        # A test copy of the environment takes its own VPC range (EMULATED_VPC_CIDR), so it
        # never meets a running `make up ENV=emulated`; later var files win over the tfvars.
        cidr = os.environ.get("EMULATED_VPC_CIDR", "")
        paths.overrides.parent.mkdir(parents=True, exist_ok=True)
        paths.overrides.write_text(json.dumps({"vpc_cidr": cidr} if cidr else {}))
        var_files.append(str(paths.overrides))
    _prepare_process_env()
    return _Terraform(
        extra_env={"TF_DATA_DIR": str(paths.data_dir)},
        working_dir=str(paths.root),
        terraform_bin_path=binary,
        var_file=var_files,
        variables=variables,
        parallelism=EMULATED_PARALLELISM if env == "emulated" else None,
    )


def _check(rc: int | None, what: str, err: str | None = None) -> None:
    if rc != 0:
        detail = ""
        if err:
            lines = [
                ln.strip() for ln in err.splitlines() if ln.strip().startswith(("Error", "│ Error"))
            ]
            detail = f": {lines[0]}" if lines else ""
        raise TerraformError(f"terraform {what} failed (exit {rc}){detail}")


def check_backend_config(env: str) -> None:
    """An AWS environment needs the backend.hcl that `make bootstrap` writes."""
    backend_file = layout(env).backend_config
    if backend_file is None:
        return
    if not backend_file.is_file():
        raise TerraformError(
            f"{_shown(backend_file)} is missing; run `make bootstrap ENV={env}` first"
        )


def init(tf: Terraform, env: str) -> None:
    """`terraform init` of the environment's data directory: -plugin-dir when a local mirror
    exists; backend.hcl (AWS) or a state path in the environment directory (emulated).

    -reconfigure: backend.hcl is the truth, and state is never migrated behind the user's
    back when it changes. python-terraform's own init() adds -var/-var-file from the
    handle's defaults; call the plain command instead so init sees only init options.
    """
    paths = layout(env)
    kwargs: dict[str, Any] = {
        "capture_output": True,
        "reconfigure": IsFlagged,
        "input": False,
        "no_color": IsFlagged,
    }
    mirror = plugin_dir()
    if mirror is not None:
        kwargs["plugin_dir"] = str(mirror)
    if paths.backend_config is not None:
        check_backend_config(env)
        kwargs["backend_config"] = str(paths.backend_config)
    elif paths.local_state is not None:
        kwargs["backend_config"] = {"path": str(paths.local_state)}
    rc, _out, err = tf.cmd("init", **kwargs)
    _check(rc, "init", err)


def plan(tf: Terraform) -> int:
    """Plan with -detailed-exitcode; returns 0 (no changes) or 2 (changes)."""
    rc, _out, _err = tf.plan(capture_output=False, input=False, detailed_exitcode=IsFlagged)
    if rc not in (0, 2):
        _check(rc, "plan")
    return int(rc)


def apply(tf: Terraform) -> None:
    rc, _out, _err = tf.apply(capture_output=False, skip_plan=True, input=False)
    _check(rc, "apply")


def destroy(tf: Terraform, *, attempts: int = 1) -> None:
    """Destroy everything in the state; a failed destroy is run again up to ``attempts``
    times in all (each run only removes what the state still holds). An empty state is left
    as it is: Terraform would start every provider only to find nothing to remove."""
    rc, out, _err = tf.cmd("state", "list")
    if rc == 0 and not (out or "").strip():
        print("platformctl: the state holds nothing; no terraform destroy needed", flush=True)
        return
    for attempt in range(1, attempts + 1):
        rc, _out, _err = tf.destroy(
            capture_output=False, force=IsNotFlagged, auto_approve=IsFlagged, input=False
        )
        if rc == 0 or attempt == attempts:
            break
        print(f"platformctl: terraform destroy failed (exit {rc}); running it again", flush=True)
    _check(rc, "destroy")


def outputs(tf: Terraform) -> dict[str, Any]:
    """All root outputs as plain values."""
    rc, out, err = tf.output_cmd(json=IsFlagged)
    _check(rc, "output", err)
    return {name: item["value"] for name, item in json.loads(out or "{}").items()}


def inventory_output(tf: Terraform) -> dict[str, Any] | None:
    """The root's `inventory` output (hosts, buckets, queue, secret store...); None before
    the first apply."""
    rc, out, _err = tf.output_cmd("inventory", json=IsFlagged)
    if rc != 0 or not out:
        return None
    value = json.loads(out)
    return value if isinstance(value, dict) else None


def _run(action: str, env: str) -> int:
    if action not in ACTIONS:
        raise TerraformError(f"unknown action {action!r}; choose one of: {', '.join(ACTIONS)}")
    layout(env)
    if action == "bootstrap":
        from platformctl.terraform_bootstrap import bootstrap

        bootstrap(env)
        return 0
    # Cheap local checks first, so each failure is one line before anything starts.
    require_terraform()
    check_tfvars(layout(env))
    from platformctl import cloud

    if action == "destroy" and cloud.forget_emulated_without_moto(env):
        return 0
    tf = terraform_for(env, cloud.moto_for(action, env))
    if env != "emulated":
        check_backend_config(env)
        check_aws_credentials(env)
    init(tf, env)
    if action == "plan":
        if plan(tf) not in (0, 2):
            return 1
        if cloud.terraform_only(env):
            return 0
        return cloud.plan_configuration(env, inventory_output(tf))
    if action in ("apply", "provision"):
        apply(tf)
        if cloud.terraform_only(env):
            action = "inventory"
        elif action == "provision":
            cloud.prepare(env, inventory_output(tf) or {})
            return 0
        else:
            return cloud.configure(env, inventory_output(tf) or {})
    if action == "workers":
        found = inventory_output(tf)
        if not found:
            raise TerraformError(f"ENV={env} has not been applied: `make apply ENV={env}` first")
        changed = cloud.sync_workers(env, found)
        print(f"platformctl: workers: {changed} came or went")
        return 0
    if action == "inventory":
        found = inventory_output(tf)
        if not found or not found.get("hosts"):
            raise TerraformError(f"no hosts in the {env} state; run `make apply ENV={env}` first")
        from platformctl.inventory_terraform import write_inventory

        path = write_inventory(env, found, cloud.access_for(env, found))
        print(f"inventory written to {path.relative_to(ROOT)}")
        return 0
    # moto has answered a revoke of a security group rule that it had just removed with
    # InvalidPermission.NotFound; the second destroy's refresh finds the rule gone and drops it.
    destroy(tf, attempts=2 if env == "emulated" else 1)
    cloud.forget(env)
    if env == "emulated" and not cloud.terraform_only(env):
        from platformctl import emulated

        emulated.teardown()
    return 0


def run(action: str, env: str) -> int:
    """Entry point for platformctl.cli: run `action` on environment `env`; returns an exit code."""
    try:
        return _run(action, env)
    except PlatformError as exc:
        print(f"platformctl: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("platformctl: interrupted", file=sys.stderr)
        return 130


def main(argv: list[str] | None = None) -> int:
    """`python -m platformctl.terraform ACTION ENV` (the same as the make targets)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(
            f"usage: python -m platformctl.terraform {{{'|'.join(ACTIONS)}}} {{{'|'.join(ENVS)}}}",
            file=sys.stderr,
        )
        return 2
    return run(args[0], args[1])


if __name__ == "__main__":
    # Run the imported module, not this __main__ copy: terraform_bootstrap raises
    # platformctl.terraform.TerraformError, which __main__.TerraformError would not catch.
    from platformctl.terraform import main as _main

    raise SystemExit(_main())
