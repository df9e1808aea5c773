"""Configuring what Terraform provisioned: the inventory from its outputs, the secret store,
then the same playbook the local environment runs.

`make apply ENV=<env>` is Terraform apply, then `configure()`; `make plan` is Terraform plan,
then `plan_configuration()` (the play in check mode where the hosts already exist).
"""

from __future__ import annotations

import os
from typing import Any

from platformctl.ansible_run import run_playbook
from platformctl.errors import PlatformError
from platformctl.inventory_terraform import (
    Access,
    SshAccess,
    SsmAccess,
    check_outputs,
    inventory_file,
    write_inventory,
)
from platformctl.secrets import SECRET_GENERATORS, ensure_aws_secrets, missing_keys


def access_for(env: str, outputs: dict[str, Any]) -> Access:
    """SSH to the stand-in hosts on emulated AWS; Systems Manager on AWS."""
    if env == "emulated":
        from platformctl import emulated

        return SshAccess(emulated.ssh_key_file())
    return SsmAccess(outputs["region"], outputs["ssm_transfer_bucket"])


def aws_environment(env: str) -> dict[str, str]:
    """What the controller's AWS calls (boto3, the play's lookups) need for `env`: emulated
    AWS is moto with its fixed test keys; AWS takes the caller's own credential chain."""
    if env != "emulated":
        return {}
    from platformctl import emulated

    return emulated.controller_aws_environment()


def aws_client(env: str, service: str, region: str) -> Any:
    """A boto3 client of `service` as the controller reaches it for `env`."""
    import boto3

    extra = aws_environment(env)
    session = boto3.Session(
        aws_access_key_id=extra.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=extra.get("AWS_SECRET_ACCESS_KEY"),
        region_name=region,
    )
    return session.client(service, endpoint_url=extra.get("AWS_ENDPOINT_URL"))


def secrets_client(env: str, region: str) -> Any:
    return aws_client(env, "secretsmanager", region)


def read_secrets(env: str, outputs: dict[str, Any]) -> dict[str, str]:
    """The environment's secrets as stored now (nothing generated)."""
    import json

    from botocore.exceptions import BotoCoreError, ClientError

    client = secrets_client(env, outputs["region"])
    try:
        stored = client.get_secret_value(SecretId=outputs["secrets_id"])
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return {}
        raise PlatformError(f"reading the secret of ENV={env}: {exc}") from None
    except BotoCoreError as exc:
        raise PlatformError(f"reading the secret of ENV={env}: {exc}") from None
    return dict(json.loads(stored.get("SecretString") or "{}"))


def secret_value(env: str, outputs: dict[str, Any], key: str) -> str:
    if key not in SECRET_GENERATORS:
        raise PlatformError(f"unknown secret '{key}': choose one of {', '.join(SECRET_GENERATORS)}")
    values = read_secrets(env, outputs)
    if key not in values:
        raise PlatformError(
            f"ENV={env} has no {key} yet: `make apply ENV={env}` generates missing secrets"
        )
    return values[key]


def _play(env: str, region: str, check: bool) -> int:
    result = run_playbook(
        "playbook.yml",
        inventory=inventory_file(env),
        check=check,
        environ={**aws_environment(env), "AWS_DEFAULT_REGION": region},
    )
    if result.returncode != 0:
        what = "planning the configuration of" if check else "configuring"
        raise PlatformError(
            f"{what} the {env} hosts failed (ansible exit {result.returncode}); "
            "the task output above names the host and the task"
        )
    return result.total_changed


def _with_workers(outputs: dict[str, Any], workers: list[Any]) -> dict[str, Any]:
    """The outputs with the worker groups' instances among the hosts (the inventory's
    workers come from the instances found by their group's tag, not from Terraform)."""
    return {**outputs, "hosts": {**outputs["hosts"], **{w.name: w.as_host() for w in workers}}}


def publish_workers_bundle(
    env: str, outputs: dict[str, Any], seen: dict[str, Any], secrets: dict[str, str]
) -> None:
    """The workers' secret (their share of the secrets) and the bundle new workers configure
    themselves from (platformctl/worker_bundle.py)."""
    import json

    from platformctl.inventory_terraform import build_inventory
    from platformctl.worker_bundle import bundle_inventory, publish, worker_secrets

    client = secrets_client(env, outputs["region"])
    share = json.dumps(worker_secrets(secrets), sort_keys=True)
    current = read_secrets(env, {**outputs, "secrets_id": outputs["worker_secrets_id"]})
    if json.dumps(current, sort_keys=True) != share:
        client.put_secret_value(SecretId=outputs["worker_secrets_id"], SecretString=share)
        print(f"platformctl: the workers' secret holds {len(json.loads(share))} key(s)")
    s3 = aws_client(env, "s3", outputs["region"])
    inventory = bundle_inventory(
        build_inventory(seen, access_for(env, outputs)), outputs["worker_secrets_id"]
    )
    publish(s3, outputs["buckets"]["bundles"], inventory, outputs["worker_secrets_id"])


def prepare(env: str, outputs: dict[str, Any]) -> None:
    """What the play needs: stand-in hosts (emulated), the inventory, every secret; then the
    workers' bundle, and (emulated) the first boot of the worker groups' new instances."""
    check_outputs(outputs)
    if not outputs["hosts"]:
        raise PlatformError(f"ENV={env} has no hosts: its tfvars lists none")
    seen = outputs
    workers: list[Any] = []
    if env == "emulated":
        from platformctl import emulated

        emulated.provision_hosts(outputs)
        seen = emulated.as_seen_by_hosts(outputs)
        workers = emulated.booted_workers()
    path = write_inventory(env, _with_workers(seen, workers), access_for(env, outputs))
    print(f"platformctl: inventory written to {path}")
    values, added = ensure_aws_secrets(
        outputs["secrets_id"], secrets_client(env, outputs["region"])
    )
    if added:
        print(f"platformctl: generated {len(added)} secret(s) into {outputs['secrets_id']}")
    if outputs.get("worker_groups"):
        publish_workers_bundle(env, outputs, seen, values)
        if env == "emulated":
            emulated.sync_workers(outputs, wait=False)


def sync_workers(env: str, outputs: dict[str, Any]) -> int:
    """Emulated AWS: hosts for the worker groups' instances as they are now (new ones boot
    and configure themselves, gone ones drain), then the inventory with them. Returns the
    number of workers that came or went."""
    if env != "emulated" or not outputs.get("worker_groups"):
        return 0
    from platformctl import emulated

    new, gone = emulated.sync_workers(outputs, wait=True)
    seen = _with_workers(emulated.as_seen_by_hosts(outputs), emulated.booted_workers())
    write_inventory(env, seen, access_for(env, outputs))
    for worker in new:
        print(f"platformctl: {worker.name} configured itself from the workers' bundle")
    for worker in gone:
        print(f"platformctl: {worker.name} drained and is gone")
    return len(new) + len(gone)


def configure(env: str, outputs: dict[str, Any]) -> int:
    """prepare(), then playbook.yml on every host, then the workers' own boots."""
    prepare(env, outputs)
    changes = _play(env, outputs["region"], check=False)
    sync_workers(env, outputs)
    print(f"platformctl: {env} environment is configured ({changes} change(s))")
    return 0


def plan_configuration(env: str, outputs: dict[str, Any] | None) -> int:
    """The play in check mode where the hosts exist; otherwise say when it can be planned."""
    if not outputs or not outputs.get("hosts"):
        print(
            f"platformctl: plan: configuration of ENV={env} is planned once its hosts exist "
            f"(after the first `make apply ENV={env}`)"
        )
        return 0
    check_outputs(outputs)
    if env == "emulated":
        from platformctl import emulated

        if not emulated.hosts_exist(outputs):
            print("platformctl: plan: the stand-in hosts are not up; `make apply` creates them")
            return 0
        outputs = emulated.as_seen_by_hosts(outputs)
    missing = missing_keys(read_secrets(env, outputs))
    if missing:
        print(
            f"platformctl: plan: apply will generate {len(missing)} secret(s); the "
            "configuration is planned once they exist"
        )
        return 0
    write_inventory(env, outputs, access_for(env, outputs))
    changes = _play(env, outputs["region"], check=True)
    print(f"platformctl: plan: {changes} configuration change(s)")
    return 0


def forget(env: str) -> None:
    """After destroy: the generated inventory goes too."""
    inventory_file(env).unlink(missing_ok=True)


def terraform_only(env: str) -> bool:
    """Emulated AWS against a moto server named by MOTO_URL (not platformctl's own moto
    host): Terraform and the inventory only, no hosts to configure."""
    return env == "emulated" and bool(os.environ.get("MOTO_URL"))


def moto_for(action: str, env: str) -> str | None:
    """Emulated AWS: its moto host, started for apply and plan."""
    if env != "emulated" or terraform_only(env):
        return None
    from platformctl import emulated

    if action == "destroy":
        return emulated.running_moto_url()
    if action == "workers":
        found = emulated.running_moto_url()
        if found is None:
            raise PlatformError("ENV=emulated is not up: `make up ENV=emulated` first")
        return found
    return emulated.start()


def forget_emulated_without_moto(env: str) -> bool:
    """Destroy with platformctl's moto host gone: its resources went with it, so what is
    left is on this machine (containers, network, state). Removes that; True if so."""
    if env != "emulated" or terraform_only(env):
        return False
    from platformctl import emulated

    if emulated.running_moto_url() is not None:
        return False
    forget(env)
    emulated.teardown()
    print("platformctl: the emulated moto host was not running; removed what was left here")
    return True


def secret(env: str, key: str) -> str:
    """One secret of a Terraform environment, read from its Secrets Manager secret."""
    from platformctl.terraform import (
        TerraformError,
        check_aws_credentials,
        check_backend_config,
        check_tfvars,
        init,
        inventory_output,
        layout,
        require_terraform,
        terraform_for,
    )

    require_terraform()
    check_tfvars(layout(env))
    moto = None
    if env == "emulated" and not terraform_only(env):
        from platformctl import emulated

        moto = emulated.running_moto_url()
        if moto is None:
            raise TerraformError("ENV=emulated is not up: `make up ENV=emulated` first")
    tf = terraform_for(env, moto)
    if env != "emulated":
        check_backend_config(env)
        check_aws_credentials(env)
    init(tf, env)
    found = inventory_output(tf)
    if not found:
        raise TerraformError(f"ENV={env} has not been applied: `make apply ENV={env}` first")
    return secret_value(env, found, key)
