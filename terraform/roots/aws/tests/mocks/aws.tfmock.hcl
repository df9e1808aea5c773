# Data the mock provider returns where random strings would not do (JSON policies,
# account and region). Shared by every test file of this root.
mock_data "aws_region" {
  defaults = {
    name = "us-east-1"
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition = "aws"
  }
}

mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{}"
  }
}

mock_data "aws_ami" {
  defaults = {
    id = "ami-0d3e6b1a2c4f5a601"
  }
}

# Known at plan time, so the tests can read the `hosts` output without an apply.
mock_resource "aws_instance" {
  override_during = plan
  defaults = {
    id                = "i-0123456789abcdef0"
    private_ip        = "10.0.128.10"
    availability_zone = "us-east-1a"
  }
}

mock_resource "aws_ebs_volume" {
  override_during = plan
  defaults = {
    id = "vol-0123456789abcdef0"
  }
}

# Known at plan time, so the tests can compare the worker_groups outputs without an apply.
mock_resource "aws_launch_template" {
  override_during = plan
  defaults = {
    id = "lt-0123456789abcdef0"
  }
}
