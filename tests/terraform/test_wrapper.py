"""Fast checks of the Terraform wrapper: one-line errors, data directories, plugin dir."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from platformctl import terraform
from platformctl.terraform_moto import free_port

# ansible-inventory lives beside the interpreter in the venv, whether or not it is on PATH.
_VENV_PATH = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
ANSIBLE_INVENTORY = shutil.which("ansible-inventory", path=_VENV_PATH)


def test_unknown_environment_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert terraform.run("plan", "qa") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unknown environment 'qa'" in err
    assert "Traceback" not in err


def test_unknown_action_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert terraform.run("explode", "dev") == 2
    assert "unknown action 'explode'" in capsys.readouterr().err


def test_moto_not_running_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MOTO_URL", f"http://127.0.0.1:{free_port()}")
    assert terraform.run("plan", "emulated") == 2
    err = capsys.readouterr().err
    assert "moto is not running" in err
    assert err.count("\n") == 1


def test_moto_url_must_be_loopback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MOTO_URL", "http://10.0.0.5:5000")
    assert terraform.run("apply", "emulated") == 2
    assert "MOTO_URL must be http://127.0.0.1" in capsys.readouterr().err


def test_missing_terraform_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(terraform.shutil, "which", lambda _name: None)
    assert terraform.run("plan", "dev") == 2
    assert "terraform is not on PATH" in capsys.readouterr().err


def _fake_environments(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: str, tfvars: str, backend: bool
) -> Path:
    """terraform/environments/<env> in tmp_path, with the real roots."""
    env_dir = tmp_path / "environments" / env
    env_dir.mkdir(parents=True)
    (env_dir / f"{env}.tfvars").write_text(tfvars)
    if backend:
        (env_dir / "backend.hcl").write_text('bucket = "b"\nkey = "k"\nregion = "us-east-1"\n')
    monkeypatch.setattr(terraform, "ENVIRONMENTS_DIR", tmp_path / "environments")
    return env_dir


@pytest.fixture
def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An empty credential chain: no variables, no files, no instance metadata."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_aws_env_without_bootstrap_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not installed on this machine")
    _fake_environments(monkeypatch, tmp_path, "stage", 'environment = "stage"\n', backend=False)
    assert terraform.run("plan", "stage") == 2
    err = capsys.readouterr().err
    assert "make bootstrap ENV=stage" in err
    assert err.count("\n") == 1


def test_missing_credentials_is_one_line_before_terraform_runs(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_aws_credentials: None,
) -> None:
    _fake_environments(monkeypatch, tmp_path, "dev", 'environment = "dev"\n', backend=True)
    monkeypatch.setattr(terraform.shutil, "which", lambda _name: "/bin/false")
    monkeypatch.setattr(terraform, "init", lambda *_a: pytest.fail("init must not run"))
    assert terraform.run("plan", "dev") == 2
    err = capsys.readouterr().err
    assert "no AWS credentials for ENV=dev" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bootstrap_without_credentials_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_aws_credentials: None,
) -> None:
    _fake_environments(monkeypatch, tmp_path, "prod", 'environment = "prod"\n', backend=False)
    assert terraform.run("bootstrap", "prod") == 2
    err = capsys.readouterr().err
    assert "no AWS credentials for ENV=prod" in err
    assert err.count("\n") == 1


def test_tfvars_of_another_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dev.tfvars copied into stage/ and not edited would plan dev names on stage's state."""
    _fake_environments(monkeypatch, tmp_path, "stage", 'environment = "dev"\n', backend=True)
    monkeypatch.setattr(terraform.shutil, "which", lambda _name: "/bin/false")
    assert terraform.run("plan", "stage") == 2
    err = capsys.readouterr().err
    assert 'sets environment = "dev"; it must say environment = "stage"' in err


def test_missing_tfvars_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "environments" / "prod").mkdir(parents=True)
    monkeypatch.setattr(terraform, "ENVIRONMENTS_DIR", tmp_path / "environments")
    assert terraform.run("plan", "prod") == 2
    err = capsys.readouterr().err
    assert "prod.tfvars" in err and err.count("\n") == 1


def test_each_environment_has_its_own_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """dev and prod share the AWS root; every command of each runs with its own TF_DATA_DIR
    and var file, and the caller's environment is left as it was."""
    fake = tmp_path / "terraform"
    fake.write_text('#!/bin/sh\necho "$TF_DATA_DIR|$PWD|$*"\n')
    fake.chmod(0o755)
    monkeypatch.setattr(terraform.shutil, "which", lambda _name: str(fake))
    monkeypatch.delenv("TF_DATA_DIR", raising=False)
    seen = {}
    for env in ("dev", "prod"):
        _rc, out, _err = terraform.terraform_for(env).plan(capture_output=True)
        data_dir, cwd, args = out.strip().split("|")
        seen[env] = data_dir
        assert Path(data_dir) == terraform.ENVIRONMENTS_DIR / env / ".terraform"
        assert Path(cwd) == terraform.ROOTS_DIR / "aws"
        assert f"-var-file={terraform.ENVIRONMENTS_DIR / env / f'{env}.tfvars'}" in args
    assert seen["dev"] != seen["prod"]
    assert "TF_DATA_DIR" not in os.environ


def test_plugin_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TF_PLUGIN_DIR", str(tmp_path))
    assert terraform.plugin_dir() == tmp_path
    monkeypatch.setenv("TF_PLUGIN_DIR", str(tmp_path / "missing"))
    with pytest.raises(terraform.TerraformError, match="not a directory"):
        terraform.plugin_dir()


def test_destroy_never_passes_force() -> None:
    """python-terraform's destroy() adds -force (gone since Terraform 0.15) unless told not to."""
    from python_terraform import IsFlagged, IsNotFlagged, Terraform

    tf = Terraform(working_dir="/nonexistent")
    cmd = tf.generate_cmd_string("destroy", force=IsNotFlagged, auto_approve=IsFlagged)
    assert "-force" not in cmd
    assert "-auto-approve" in cmd


def test_module_entry_point_reports_bootstrap_errors_in_one_line(tmp_path: Path) -> None:
    """`make bootstrap` runs `python -m platformctl.terraform`: errors raised in
    terraform_bootstrap must be caught there too, not end in a traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") or k == "AWS_CA_BUNDLE"}
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    done = subprocess.run(
        [sys.executable, "-m", "platformctl.terraform", "bootstrap", "prod"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and "no AWS credentials for ENV=prod" in done.stderr


def test_backend_config_has_a_state_key_per_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Even with one shared TF_STATE_BUCKET, dev and prod never write the same state object."""
    from platformctl.terraform_bootstrap import write_backend_config

    keys = {}
    for env in ("dev", "prod"):
        env_dir = tmp_path / "environments" / env
        env_dir.mkdir(parents=True)
        (env_dir / f"{env}.tfvars").write_text(f'environment = "{env}"\n')
    monkeypatch.setattr(terraform, "ENVIRONMENTS_DIR", tmp_path / "environments")
    for env in ("dev", "prod"):
        path = write_backend_config(env, "shared-bucket", "us-east-1")
        assert path == tmp_path / "environments" / env / "backend.hcl"
        keys[env] = next(ln for ln in path.read_text().splitlines() if ln.startswith("key"))
        assert "use_lockfile = true" in path.read_text()
    assert keys["dev"] != keys["prod"]


def test_plan_inits_and_plans_with_the_environment_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`make plan ENV=stage` end to end, with a stand-in terraform that records its calls:
    init gets stage's backend.hcl, plan gets stage's tfvars, both stage's data directory."""
    env_dir = _fake_environments(
        monkeypatch, tmp_path, "stage", 'environment = "stage"\n', backend=True
    )
    calls = tmp_path / "calls"
    fake = tmp_path / "terraform"
    fake.write_text(f'#!/bin/sh\necho "$TF_DATA_DIR|$*" >> {calls}\n')
    fake.chmod(0o755)
    monkeypatch.setattr(terraform.shutil, "which", lambda _name: str(fake))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    assert terraform.run("plan", "stage") == 0
    # After the plan, the inventory output tells whether hosts exist to plan the play for.
    init, plan, output = calls.read_text().splitlines()
    assert output.startswith(f"{env_dir / '.terraform'}|output ") and "inventory" in output
    assert init.startswith(f"{env_dir / '.terraform'}|init ")
    assert f"-backend-config={env_dir / 'backend.hcl'}" in init and "-reconfigure" in init
    assert plan.startswith(f"{env_dir / '.terraform'}|plan ")
    assert f"-var-file={env_dir / 'stage.tfvars'}" in plan and "-detailed-exitcode" in plan


class _FailingDestroys:
    """Stands in for python_terraform's Terraform: destroy fails ``failures`` times."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def cmd(self, *args: str, **_: object) -> tuple[int, str, str]:
        assert args == ("state", "list")
        return 0, "aws_instance.host\n", ""

    def destroy(self, **_: object) -> tuple[int, str, str]:
        self.calls += 1
        return (1 if self.calls <= self.failures else 0), "", ""


def test_a_failed_destroy_runs_again_when_asked_and_fails_clearly_when_it_fails_again() -> None:
    once = _FailingDestroys(failures=1)
    terraform.destroy(once, attempts=2)  # type: ignore[arg-type]
    assert once.calls == 2
    always = _FailingDestroys(failures=5)
    with pytest.raises(terraform.TerraformError, match="destroy"):
        terraform.destroy(always, attempts=2)  # type: ignore[arg-type]
    assert always.calls == 2
    single = _FailingDestroys(failures=1)
    with pytest.raises(terraform.TerraformError):
        terraform.destroy(single)  # type: ignore[arg-type]
    assert single.calls == 1


def test_destroy_leaves_an_emptied_state_alone(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A second `make destroy` finds nothing in the state and does not start Terraform's
    destroy (and its providers) again; a state that holds something is destroyed."""
    from python_terraform import IsFlagged, Terraform

    (tmp_path / "main.tf").write_text('resource "terraform_data" "kept" {\n  input = "a"\n}\n')
    tf = Terraform(working_dir=str(tmp_path))
    assert tf.cmd("init", input=False)[0] == 0
    assert tf.cmd("apply", auto_approve=IsFlagged, input=False)[0] == 0
    terraform.destroy(tf)
    assert tf.cmd("state", "list")[:2] == (0, "")
    capfd.readouterr()
    terraform.destroy(tf)
    assert "the state holds nothing" in capfd.readouterr().out
