# Offline: the whole composition planned against the mock provider.
mock_provider "aws" {
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
}

variables {
  environment = "dev"
  vpc_cidr    = "10.10.0.0/16"
  azs         = ["us-east-1a", "us-east-1b"]
}

run "composes_every_host_group" {
  command = plan

  assert {
    condition     = toset(values(module.compute.instance_groups)) == toset(["postgres", "weaviate", "airflow_master", "worker_cpu", "worker_gpu", "ingress"])
    error_message = "Every host group of the architecture must be composed."
  }

  assert {
    condition     = local.name_prefix == "cdaprod-dev" && local.tags["Environment"] == "dev" && local.tags["Project"] == "cdaprod"
    error_message = "Names and tags come from one project/environment pair."
  }
}

run "rejects_an_unknown_environment" {
  command = plan

  variables {
    environment = "qa"
  }

  expect_failures = [var.environment]
}

run "rejects_a_wrong_cidr" {
  command = plan

  variables {
    vpc_cidr = "10.10.0.0/8"
  }

  expect_failures = [var.vpc_cidr]
}

run "rejects_a_missing_group" {
  command = plan

  variables {
    groups = {
      postgres = { count = 1, instance_type = "m6i.large", security_group = "postgres" }
    }
  }

  expect_failures = [var.groups]
}
