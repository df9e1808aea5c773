"""`make bootstrap ENV=...`: the Terraform state bucket, created idempotently with boto3.

The backend cannot keep its own state, so this runs before any `terraform init`. It creates
the same bucket shape as terraform/modules/state_backend (versioned, SSE, public access
blocked, ACLs disabled, TLS-only policy, old versions expire) and writes
terraform/environments/<env>/backend.hcl (S3 native locking: use_lockfile = true), the
partial backend configuration the one AWS root (terraform/roots/aws) is initialised with.
A second run changes nothing and says so.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from platformctl.terraform import (
    ROOT,
    TerraformError,
    check_aws_credentials,
    check_moto,
    layout,
    moto_url,
)

PROJECT = "cdaprod"
NONCURRENT_DAYS = 90


def _region(env: str) -> str:
    tfvars = layout(env).tfvars
    match = re.search(r'^region\s*=\s*"([a-z0-9-]+)"', tfvars.read_text(encoding="utf-8"), re.M)
    return match.group(1) if match else "us-east-1"


def _client_kwargs(env: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"region_name": _region(env)}
    if env == "emulated":
        url = moto_url()
        check_moto(url)
        kwargs.update(
            endpoint_url=url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - moto's fixed test key, loopback only
        )
    return kwargs


def _policy(bucket: str) -> dict[str, Any]:
    arn = f"arn:aws:s3:::{bucket}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _read(call: Callable[[], Any], default: Any) -> Any:
    """A bucket setting as S3 reports it, or `default` when it has none yet."""
    try:
        return call()
    except ClientError:
        return default


def _ensure_bucket(s3: Any, bucket: str, region: str) -> str | None:
    try:
        s3.head_bucket(Bucket=bucket)
        return None
    except ClientError as exc:
        if _error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
            raise
    create: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**create)
    return "created bucket"


def _ensure_versioning(s3: Any, bucket: str) -> str | None:
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled":
        return None
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return "enabled versioning"


def _ensure_encryption(s3: Any, bucket: str) -> str | None:
    current = _read(
        lambda: s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"],
        {},
    )
    if current.get("Rules"):
        return None
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    return "enabled default encryption"


def _ensure_public_access_block(s3: Any, bucket: str) -> str | None:
    block = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    current = _read(
        lambda: s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"], {}
    )
    if current == block:
        return None
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
    return "blocked public access"


def _ensure_ownership(s3: Any, bucket: str) -> str | None:
    wanted = [{"ObjectOwnership": "BucketOwnerEnforced"}]
    current = _read(
        lambda: s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"], []
    )
    if current == wanted:
        return None
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": wanted})
    return "disabled ACLs"


def _ensure_policy(s3: Any, bucket: str) -> str | None:
    wanted = _policy(bucket)
    current = _read(lambda: json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]), None)
    if current == wanted:
        return None
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(wanted))
    return "set TLS-only bucket policy"


def _ensure_lifecycle(s3: Any, bucket: str) -> str | None:
    rule = {
        "ID": "expire-old-state-versions",
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "NoncurrentVersionExpiration": {"NoncurrentDays": NONCURRENT_DAYS},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
    }
    current = _read(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"], [])
    if any(
        r.get("ID") == rule["ID"]
        and r.get("Status") == "Enabled"
        and r.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays") == NONCURRENT_DAYS
        for r in current
    ):
        return None
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    return "set lifecycle rule"


def _ensure_tags(s3: Any, bucket: str, tags: dict[str, str]) -> str | None:
    current = _read(
        lambda: {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]},
        {},
    )
    if current == tags:
        return None
    s3.put_bucket_tagging(
        Bucket=bucket, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}
    )
    return "set tags"


def ensure_state_bucket(s3: Any, bucket: str, region: str, tags: dict[str, str]) -> list[str]:
    """Bring the bucket to the wanted shape; returns what had to change (empty when nothing)."""
    steps = [
        lambda: _ensure_bucket(s3, bucket, region),
        lambda: _ensure_versioning(s3, bucket),
        lambda: _ensure_encryption(s3, bucket),
        lambda: _ensure_public_access_block(s3, bucket),
        lambda: _ensure_ownership(s3, bucket),
        lambda: _ensure_policy(s3, bucket),
        lambda: _ensure_lifecycle(s3, bucket),
        lambda: _ensure_tags(s3, bucket, tags),
    ]
    return [change for step in steps if (change := step()) is not None]


def write_backend_config(env: str, bucket: str, region: str) -> Path | None:
    """backend.hcl of an AWS environment (gitignored); emulated keeps local state."""
    path = layout(env).backend_config
    if path is None:
        return None
    # One state object per environment: the key differs even if TF_STATE_BUCKET is shared.
    text = (
        "# Written by `make bootstrap`; the S3 backend with native locking (use_lockfile).\n"
        f'bucket       = "{bucket}"\n'
        f'key          = "{env}/terraform.tfstate"\n'
        f'region       = "{region}"\n'
        "encrypt      = true\n"
        "use_lockfile = true\n"
    )
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path
    path.write_text(text, encoding="utf-8")
    return path


def bootstrap(env: str) -> list[str]:
    """Create or repair the state bucket for `env`; prints one line per change (or "nothing")."""
    layout(env)
    if env != "emulated":
        check_aws_credentials(env)
    kwargs = _client_kwargs(env)
    region = kwargs["region_name"]
    try:
        account = boto3.client("sts", **kwargs).get_caller_identity()["Account"]
        bucket = os.environ.get("TF_STATE_BUCKET") or f"{PROJECT}-{env}-tfstate-{account}"
        tags = {
            "Project": PROJECT,
            "Environment": env,
            "Purpose": "terraform state",
            "ManagedBy": "platformctl",
        }
        changes = ensure_state_bucket(boto3.client("s3", **kwargs), bucket, region, tags)
    except (ClientError, BotoCoreError) as exc:
        raise TerraformError(f"bootstrap of {env} state bucket failed: {exc}") from None
    backend = write_backend_config(env, bucket, region)
    for change in changes:
        print(f"bootstrap {env}: {bucket}: {change}")
    if not changes:
        print(f"bootstrap {env}: {bucket}: already in place, nothing changed")
    if backend is not None:
        print(f"bootstrap {env}: backend settings in {backend.relative_to(ROOT)}")
    return changes
