# Offline: every AWS call is answered by the mock provider.
mock_provider "aws" {
  mock_data "aws_ami" {
    defaults = {
      id = "ami-0d3e6b1a2c4f5a601"
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
}

variables {
  name_prefix = "cdaprod-test"
  tags        = { Project = "cdaprod", Environment = "dev" }
  subnet_ids  = ["subnet-aaaa", "subnet-bbbb"]
  security_group_ids = {
    postgres       = "sg-postgres"
    airflow_worker = "sg-worker"
  }
  groups = {
    postgres   = { count = 1, instance_type = "m6i.large", data_volume_size = 100, security_group = "postgres" }
    worker_cpu = { count = 2, instance_type = "c6i.xlarge", security_group = "airflow_worker" }
    worker_gpu = { count = 1, instance_type = "g5.xlarge", gpu = true, data_volume_size = 200, security_group = "airflow_worker" }
  }
  bucket_access = {
    worker_cpu = { read = ["arn:aws:s3:::cdaprod-test-raw"], write = ["arn:aws:s3:::cdaprod-test-derivatives"] }
    worker_gpu = { read = ["arn:aws:s3:::cdaprod-test-raw"], write = ["arn:aws:s3:::cdaprod-test-derivatives"] }
  }
}

run "hosts_are_hardened" {
  command = apply

  assert {
    condition     = length(aws_instance.this) == 4
    error_message = "One instance per count in every group expected."
  }

  assert {
    condition     = alltrue([for i in aws_instance.this : i.metadata_options[0].http_tokens == "required" && i.metadata_options[0].http_endpoint == "enabled"])
    error_message = "IMDSv2 (http_tokens = required) must be enforced on every host."
  }

  assert {
    condition     = alltrue([for i in aws_instance.this : i.root_block_device[0].encrypted && i.root_block_device[0].volume_type == "gp3"])
    error_message = "Root volumes must be encrypted gp3."
  }

  assert {
    condition     = alltrue([for v in aws_ebs_volume.data : v.encrypted && v.type == "gp3"])
    error_message = "Data volumes must be encrypted gp3."
  }

  assert {
    condition     = length(aws_ebs_volume.data) == 2 && aws_ebs_volume.data["worker_gpu-1"].size == 200
    error_message = "Data volumes only where data_volume_size > 0."
  }

  assert {
    condition     = alltrue([for k, i in aws_instance.this : i.tags["Role"] == split("-", k)[0] && i.tags["Environment"] == "dev" && i.tags["Project"] == "cdaprod"])
    error_message = "Every host carries Role, Environment and Project tags for the inventory."
  }

  assert {
    condition     = aws_instance.this["worker_cpu-1"].subnet_id == "subnet-aaaa" && aws_instance.this["worker_cpu-2"].subnet_id == "subnet-bbbb"
    error_message = "Hosts of a group are spread across subnets."
  }
}

run "gpu_group_runs_gpu_instances_on_debian" {
  command = plan

  assert {
    condition     = can(regex("^g[56]", aws_instance.this["worker_gpu-1"].instance_type))
    error_message = "The GPU group must use a g5/g6 instance type."
  }

  assert {
    condition     = alltrue([for a in data.aws_ami.this : contains(a.owners, "136693071363")])
    error_message = "AMIs must come from the Debian account."
  }

  assert {
    condition     = alltrue([for a in data.aws_ami.this : anytrue([for f in a.filter : f.name == "name" && contains(f.values, "debian-12-amd64-*")])])
    error_message = "AMIs must be Debian 12 (the GPU group included)."
  }
}

run "least_privilege_roles" {
  command = apply

  assert {
    condition     = alltrue([for a in aws_iam_role_policy_attachment.ssm_core : endswith(a.policy_arn, ":policy/AmazonSSMManagedInstanceCore")])
    error_message = "Every group gets SSM core, and only that managed policy."
  }

  assert {
    condition     = toset(keys(aws_iam_role_policy.s3)) == toset(["worker_cpu", "worker_gpu"])
    error_message = "Only groups listed in bucket_access get S3 permissions."
  }

  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.s3["worker_cpu"].statement :
      !contains(s.actions, "s3:PutObject") || alltrue([for r in s.resources : startswith(r, "arn:aws:s3:::cdaprod-test-derivatives")])
    ])
    error_message = "Workers may write only where bucket_access allows (never to raw)."
  }

  assert {
    condition     = alltrue(flatten([for d in data.aws_iam_policy_document.s3 : [for s in d.statement : !contains(s.actions, "s3:*") && !contains(s.actions, "*")]]))
    error_message = "No wildcard actions in instance policies."
  }
}

run "rejects_a_cpu_type_in_the_gpu_group" {
  command = plan

  variables {
    groups = {
      worker_gpu = { count = 1, instance_type = "m6i.xlarge", gpu = true, security_group = "airflow_worker" }
    }
  }

  expect_failures = [var.groups]
}

run "rejects_a_gpu_type_in_a_cpu_group" {
  command = plan

  variables {
    groups = {
      worker_cpu = { count = 1, instance_type = "g5.xlarge", security_group = "airflow_worker" }
    }
  }

  expect_failures = [var.groups]
}

run "rejects_an_old_gpu_family" {
  command = plan

  variables {
    groups = {
      worker_gpu = { count = 1, instance_type = "p3.2xlarge", gpu = true, security_group = "airflow_worker" }
    }
  }

  expect_failures = [var.groups]
}

run "rejects_missing_inventory_tags" {
  command = plan

  variables {
    tags = { Project = "cdaprod" }
  }

  expect_failures = [var.tags]
}
