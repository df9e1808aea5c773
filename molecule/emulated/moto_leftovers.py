"""What Terraform's destroy left in the scenario's moto, one line each (nothing when clean).

Run by destroy.yml between `platformctl.terraform destroy` (Terraform alone) and the
teardown of the hosts and moto: anything still here was made outside Terraform's state (an
Auto Scaling group's instance, say), and on AWS it would go on costing money.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3

MOTO = f"http://127.0.0.1:{os.environ.get('EMULATED_MOTO_PORT', '5091')}"
# `make bootstrap` makes the state bucket outside Terraform, and keeps it.
STATE_BUCKET_SUFFIX = "-tfstate-123456789012"


def _client(service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=MOTO,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def leftovers() -> Iterator[str]:
    ec2 = _client("ec2")
    for reservation in ec2.describe_instances()["Reservations"]:
        for instance in reservation["Instances"]:
            if instance["State"]["Name"] not in ("terminated", "shutting-down"):
                yield f"instance {instance['InstanceId']} ({instance['State']['Name']})"
    for vpc in ec2.describe_vpcs()["Vpcs"]:
        if not vpc.get("IsDefault"):
            yield f"vpc {vpc['VpcId']}"
    for bucket in _client("s3").list_buckets()["Buckets"]:
        if not bucket["Name"].endswith(STATE_BUCKET_SUFFIX):
            yield f"bucket {bucket['Name']}"
    for balancer in _client("elbv2").describe_load_balancers()["LoadBalancers"]:
        yield f"load balancer {balancer['LoadBalancerName']}"
    for zone in _client("route53").list_hosted_zones()["HostedZones"]:
        yield f"hosted zone {zone['Name']}"
    for url in _client("sqs").list_queues().get("QueueUrls", []):
        yield f"queue {url}"
    # Recovery window 0 in emulated: a destroyed secret is gone at once.
    for secret in _client("secretsmanager").list_secrets()["SecretList"]:
        yield f"secret {secret['Name']}"
    for group in _client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]:
        yield f"auto scaling group {group['AutoScalingGroupName']}"


if __name__ == "__main__":
    for line in leftovers():
        print(line)
