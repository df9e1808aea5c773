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
    airflow_master = "sg-master"
    airflow_worker = "sg-worker"
    video_archive  = "sg-archive"
    social_gateway = "sg-social"
    ingress        = "sg-ingress"
  }
  group_security_groups = {
    worker_cpu = "airflow_worker"
    worker_gpu = "airflow_worker"
  }
  termination_protected_groups = ["postgres", "weaviate"]
  hosts = {
    db         = { groups = ["postgres"], instance_type = "m6i.large", data_volume_size = 100 }
    master     = { groups = ["airflow_master", "video_archive", "social_gateway", "ingress"], instance_type = "t3.large" }
    worker-cpu = { count = 2, groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge" }
    worker-gpu = { groups = ["airflow_worker", "worker_gpu"], instance_type = "g5.xlarge", gpu = true, data_volume_size = 200 }
  }
  bucket_arns = {
    raw         = "arn:aws:s3:::cdaprod-test-raw"
    derivatives = "arn:aws:s3:::cdaprod-test-derivatives"
    notebooks   = "arn:aws:s3:::cdaprod-test-notebooks"
    backups     = "arn:aws:s3:::cdaprod-test-backups"
  }
  bucket_access = {
    postgres       = { write = ["backups"] }
    airflow_master = { read = ["raw"], write = ["notebooks"] }
    worker_cpu     = { read = ["raw"], write = ["derivatives", "notebooks"] }
    worker_gpu     = { read = ["raw"], write = ["derivatives", "notebooks"] }
    video_archive  = { read = ["raw", "derivatives"] }
    social_gateway = { read = ["derivatives"] }
    ingress        = { read = ["derivatives"] }
  }
  queue_arns   = { ingest = "arn:aws:sqs:us-east-1:123456789012:cdaprod-test-raw-ingest" }
  queue_access = { worker_cpu = ["ingest"] }
}

run "hosts_are_hardened" {
  command = apply

  assert {
    condition     = length(aws_instance.this) == 5
    error_message = "One instance per count in every host kind expected (count defaults to 1)."
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
    condition     = toset(keys(aws_ebs_volume.data)) == toset(["db-1", "worker-gpu-1"]) && aws_ebs_volume.data["worker-gpu-1"].size == 200
    error_message = "Data volumes only where data_volume_size > 0."
  }

  assert {
    condition     = aws_instance.this["master-1"].tags["Kind"] == "master" && aws_instance.this["master-1"].tags["Groups"] == "airflow_master video_archive social_gateway ingress"
    error_message = "Every host carries its kind and its groups (space-separated) as tags."
  }

  assert {
    condition     = alltrue([for i in aws_instance.this : i.tags["Environment"] == "dev" && i.tags["Project"] == "cdaprod" && !contains(keys(i.tags), "Role")])
    error_message = "Every host carries Environment and Project; the single-group Role tag is gone."
  }

  assert {
    condition     = aws_instance.this["worker-cpu-1"].subnet_id == "subnet-aaaa" && aws_instance.this["worker-cpu-2"].subnet_id == "subnet-bbbb"
    error_message = "Hosts of a kind are spread across subnets."
  }

  assert {
    condition     = output.instances["cdaprod-test-db-1"].data_volume_id == aws_ebs_volume.data["db-1"].id && output.instances["cdaprod-test-master-1"].data_volume_id == null
    error_message = "Each host's data volume id is in the instances output (null without one), so the inventory can name the device."
  }

  assert {
    condition     = output.instances["cdaprod-test-master-1"].groups == tolist(["airflow_master", "video_archive", "social_gateway", "ingress"]) && output.instances["cdaprod-test-master-1"].kind == "master"
    error_message = "The instances output carries each host's kind and groups."
  }
}

run "a_host_gets_the_security_groups_of_all_its_groups" {
  command = apply

  assert {
    condition     = aws_instance.this["master-1"].vpc_security_group_ids == toset(["sg-master", "sg-archive", "sg-social", "sg-ingress"])
    error_message = "A host with four groups gets exactly the four groups' security groups."
  }

  assert {
    condition     = aws_instance.this["worker-cpu-1"].vpc_security_group_ids == toset(["sg-worker"]) && aws_instance.this["worker-gpu-1"].vpc_security_group_ids == toset(["sg-worker"])
    error_message = "worker_cpu/worker_gpu map to the airflow_worker security group, once."
  }

  assert {
    condition     = aws_instance.this["db-1"].vpc_security_group_ids == toset(["sg-postgres"])
    error_message = "The database host gets only the postgres security group."
  }
}

run "termination_protection_only_on_stateful_hosts" {
  command = apply

  assert {
    condition     = aws_instance.this["db-1"].disable_api_termination
    error_message = "The postgres host must be termination-protected."
  }

  assert {
    condition     = alltrue([for k, i in aws_instance.this : !i.disable_api_termination if k != "db-1"])
    error_message = "Only hosts in a protected group (postgres, weaviate) are termination-protected."
  }
}

run "termination_protection_can_be_off" {
  command = plan

  variables {
    termination_protected_groups = []
  }

  assert {
    condition     = alltrue([for i in aws_instance.this : !i.disable_api_termination])
    error_message = "With no protected groups no host is termination-protected."
  }
}

run "gpu_hosts_run_gpu_instances_on_debian" {
  command = plan

  assert {
    condition     = can(regex("^g[56]", aws_instance.this["worker-gpu-1"].instance_type))
    error_message = "The GPU host kind must use a g5/g6 instance type."
  }

  assert {
    condition     = alltrue([for a in data.aws_ami.this : contains(a.owners, "136693071363")])
    error_message = "AMIs must come from the Debian account."
  }

  assert {
    condition     = alltrue([for a in data.aws_ami.this : anytrue([for f in a.filter : f.name == "name" && contains(f.values, "debian-12-amd64-*")])])
    error_message = "AMIs must be Debian 12 (GPU hosts included)."
  }
}

run "one_role_per_kind_with_the_union_of_its_groups_grants" {
  command = apply

  assert {
    condition     = toset(keys(aws_iam_role.this)) == toset(["db", "master", "worker-cpu", "worker-gpu"]) && aws_iam_role.this["master"].name == "cdaprod-test-master"
    error_message = "One IAM role (and instance profile) per host kind, not per group."
  }

  assert {
    condition     = aws_instance.this["master-1"].iam_instance_profile == aws_iam_instance_profile.this["master"].name
    error_message = "Hosts use their kind's instance profile."
  }

  assert {
    condition     = alltrue([for a in aws_iam_role_policy_attachment.ssm_core : endswith(a.policy_arn, ":policy/AmazonSSMManagedInstanceCore")])
    error_message = "Every kind gets SSM core, and only that managed policy."
  }

  assert {
    condition     = output.kinds["master"].read == tolist(["derivatives", "raw"]) && output.kinds["master"].write == tolist(["notebooks"]) && length(output.kinds["master"].consume) == 0
    error_message = "The master (airflow_master, video_archive, social_gateway, ingress) reads raw and derivatives and writes notebooks: exactly the union."
  }

  assert {
    condition = toset(flatten([
      for s in data.aws_iam_policy_document.s3["master"].statement : s.resources if s.sid == "ReadObjects"
    ])) == toset(["arn:aws:s3:::cdaprod-test-raw/*", "arn:aws:s3:::cdaprod-test-derivatives/*"])
    error_message = "The master's read statement covers exactly raw and derivatives."
  }

  assert {
    condition = toset(flatten([
      for s in data.aws_iam_policy_document.s3["master"].statement : s.resources if s.sid == "WriteObjects"
    ])) == toset(["arn:aws:s3:::cdaprod-test-notebooks/*"])
    error_message = "The master writes only notebooks (never raw, never derivatives)."
  }

  assert {
    condition = toset(flatten([
      for s in data.aws_iam_policy_document.s3["master"].statement : s.resources if s.sid == "ListGrantedBuckets"
    ])) == toset(["arn:aws:s3:::cdaprod-test-raw", "arn:aws:s3:::cdaprod-test-derivatives", "arn:aws:s3:::cdaprod-test-notebooks"])
    error_message = "The master lists exactly the buckets it reads or writes."
  }

  assert {
    condition     = toset(keys(aws_iam_role_policy.sqs)) == toset(["worker-cpu"])
    error_message = "Only the cpu workers (the SQS sensor's queue) consume the ingest queue."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.sqs["worker-cpu"].statement[0].resources) == "arn:aws:sqs:us-east-1:123456789012:cdaprod-test-raw-ingest"
    error_message = "The cpu workers consume exactly the ingest queue."
  }

  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.s3["worker-gpu"].statement :
      !contains(s.actions, "s3:PutObject") || alltrue([for r in s.resources : !startswith(r, "arn:aws:s3:::cdaprod-test-raw")])
    ])
    error_message = "Workers never write to raw."
  }

  assert {
    condition     = output.kinds["db"].write == tolist(["backups"]) && length(output.kinds["db"].read) == 0
    error_message = "The database host only writes backups."
  }

  assert {
    condition     = alltrue(flatten([for d in data.aws_iam_policy_document.s3 : [for s in d.statement : !contains(s.actions, "s3:*") && !contains(s.actions, "*")]]))
    error_message = "No wildcard actions in instance policies."
  }
}

run "kinds_without_hosts_get_no_role" {
  command = plan

  variables {
    hosts = {
      db     = { groups = ["postgres"], instance_type = "m6i.large" }
      spare  = { count = 0, groups = ["ingress"], instance_type = "t3.medium" }
      master = { groups = ["airflow_master"], instance_type = "t3.large" }
    }
  }

  assert {
    condition     = toset(keys(aws_iam_role.this)) == toset(["db", "master"]) && length(aws_instance.this) == 2
    error_message = "A kind with count = 0 has neither hosts nor a role."
  }
}

run "rejects_a_cpu_type_on_a_gpu_host" {
  command = plan

  variables {
    hosts = {
      worker-gpu = { groups = ["airflow_worker", "worker_gpu"], instance_type = "m6i.xlarge", gpu = true }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_a_gpu_type_on_a_cpu_host" {
  command = plan

  variables {
    hosts = {
      worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "g5.xlarge" }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_an_old_gpu_family" {
  command = plan

  variables {
    hosts = {
      worker-gpu = { groups = ["airflow_worker", "worker_gpu"], instance_type = "p3.2xlarge", gpu = true }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_a_bad_kind_name" {
  command = plan

  variables {
    hosts = {
      Worker_CPU = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge" }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_a_group_without_security_group" {
  command = plan

  variables {
    hosts = {
      search = { groups = ["weaviate"], instance_type = "r6i.large" }
    }
  }

  expect_failures = [aws_instance.this["search-1"]]
}

run "rejects_missing_inventory_tags" {
  command = plan

  variables {
    tags = { Project = "cdaprod" }
  }

  expect_failures = [var.tags]
}
