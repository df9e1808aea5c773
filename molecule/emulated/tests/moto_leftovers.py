"""What Terraform's destroy left in the scenario's moto, one line each (nothing when clean).

Run by destroy.yml between `platformctl.terraform destroy` (Terraform alone) and the
teardown of the hosts and moto: anything still here was made outside Terraform's state (an
Auto Scaling group's instance, say), and on AWS it would go on costing money.
"""

from __future__ import annotations

from collections.abc import Iterator

# Run as a script from this directory: the tests' helper module is beside it.
from emulated_aws import aws

# `make bootstrap` makes the state bucket outside Terraform, and keeps it.
STATE_BUCKET_SUFFIX = "-tfstate-123456789012"


def leftovers() -> Iterator[str]:
    ec2 = aws("ec2")
    for reservation in ec2.describe_instances()["Reservations"]:
        for instance in reservation["Instances"]:
            if instance["State"]["Name"] not in ("terminated", "shutting-down"):
                yield f"instance {instance['InstanceId']} ({instance['State']['Name']})"
    for vpc in ec2.describe_vpcs()["Vpcs"]:
        if not vpc.get("IsDefault"):
            yield f"vpc {vpc['VpcId']}"
    for bucket in aws("s3").list_buckets()["Buckets"]:
        if not bucket["Name"].endswith(STATE_BUCKET_SUFFIX):
            yield f"bucket {bucket['Name']}"
    for balancer in aws("elbv2").describe_load_balancers()["LoadBalancers"]:
        yield f"load balancer {balancer['LoadBalancerName']}"
    for zone in aws("route53").list_hosted_zones()["HostedZones"]:
        yield f"hosted zone {zone['Name']}"
    for url in aws("sqs").list_queues().get("QueueUrls", []):
        yield f"queue {url}"
    # Recovery window 0 in emulated: a destroyed secret is gone at once.
    for secret in aws("secretsmanager").list_secrets()["SecretList"]:
        yield f"secret {secret['Name']}"
    for group in aws("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]:
        yield f"auto scaling group {group['AutoScalingGroupName']}"


if __name__ == "__main__":
    for line in leftovers():
        print(line)
