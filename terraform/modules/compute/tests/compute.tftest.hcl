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
  queue_arns           = { ingest = "arn:aws:sqs:us-east-1:123456789012:cdaprod-test-raw-ingest" }
  queue_access         = { worker_cpu = ["ingest"] }
  worker_bundle_bucket = "cdaprod-test-bundles"
  secrets_id           = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cdaprod-test/platform-AbCdEf"
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

run "without_autoscaled_kinds_nothing_scales" {
  command = plan

  assert {
    condition     = length(output.worker_groups) == 0 && length(aws_iam_role_policy.worker) == 0 && length(aws_iam_role_policy.scaler) == 0
    error_message = "Fixed hosts only: no worker group, no worker or scaler policy."
  }

  assert {
    condition     = alltrue([for k in values(output.kinds) : !k.autoscaled])
    error_message = "No kind is autoscaled without autoscale."
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

################################################################################
# Autoscaled host kinds: worker groups instead of fixed instances
################################################################################

run "an_autoscaled_kind_is_a_worker_group_and_no_instance" {
  command = plan

  variables {
    hosts = {
      db     = { groups = ["postgres"], instance_type = "m6i.large", data_volume_size = 100 }
      master = { groups = ["airflow_master"], instance_type = "t3.large" }
      worker-cpu = {
        groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.2xlarge", root_volume_size = 200
        autoscale = {
          queue                = "cpu", min_size = 1, max_size = 6, desired_capacity = 3
          extra_instance_types = ["c6a.2xlarge", "c5.2xlarge"]
          spot                 = { on_demand_base = 1, on_demand_above_base_percent = 0 }
        }
      }
      worker-gpu = {
        groups    = ["airflow_worker", "worker_gpu"], instance_type = "g5.2xlarge", gpu = true, root_volume_size = 200
        autoscale = { queue = "gpu", min_size = 0, max_size = 2, extra_instance_types = ["g6.2xlarge"], termination_heartbeat_timeout = 1800 }
      }
    }
  }

  assert {
    condition     = toset(keys(aws_instance.this)) == toset(["db-1", "master-1"]) && toset(keys(aws_ebs_volume.data)) == toset(["db-1"])
    error_message = "Autoscaled kinds make no aws_instance and no data volume."
  }

  assert {
    condition     = toset(keys(output.instances)) == toset(["cdaprod-test-db-1", "cdaprod-test-master-1"]) && toset(keys(output.instance_ids)) == toset(keys(output.instance_groups)) && toset(keys(output.instance_ids_by_kind)) == toset(["db", "master"])
    error_message = "instances, instance_ids, instance_groups and instance_ids_by_kind hold the fixed hosts only."
  }

  assert {
    condition     = toset(keys(aws_iam_role.this)) == toset(["db", "master", "worker-cpu", "worker-gpu"]) && toset(keys(aws_iam_instance_profile.this)) == toset(keys(aws_iam_role.this))
    error_message = "Autoscaled kinds keep their IAM role and instance profile."
  }

  assert {
    condition     = output.kinds["worker-cpu"].autoscaled && output.kinds["worker-gpu"].autoscaled && !output.kinds["db"].autoscaled && !output.kinds["master"].autoscaled
    error_message = "The kinds output says which kinds are autoscaled."
  }

  assert {
    condition     = output.kinds["worker-cpu"].consume == tolist(["ingest"]) && output.kinds["worker-cpu"].write == tolist(["derivatives", "notebooks"])
    error_message = "An autoscaled kind gets the union of its groups' grants, as a fixed one."
  }

  assert {
    condition = (
      toset(keys(output.worker_groups["worker-cpu"])) == toset(["queue", "autoscaling_group_name", "lifecycle_hook_name", "launch_template_id", "min_size", "max_size", "desired_capacity", "instance_types", "groups", "gpu"]) &&
      output.worker_groups["worker-cpu"].queue == "cpu" &&
      output.worker_groups["worker-cpu"].autoscaling_group_name == "cdaprod-test-worker-cpu" &&
      output.worker_groups["worker-cpu"].lifecycle_hook_name == "cdaprod-test-worker-cpu-drain" &&
      output.worker_groups["worker-cpu"].min_size == 1 && output.worker_groups["worker-cpu"].desired_capacity == 3 && output.worker_groups["worker-cpu"].max_size == 6 &&
      output.worker_groups["worker-cpu"].instance_types == tolist(["c6i.2xlarge", "c6a.2xlarge", "c5.2xlarge"]) &&
      output.worker_groups["worker-cpu"].groups == tolist(["airflow_worker", "worker_cpu"]) &&
      !output.worker_groups["worker-cpu"].gpu
    )
    error_message = "worker_groups describes the cpu group: queue, group and hook names, sizes, instance_type then extra_instance_types, groups, gpu."
  }

  assert {
    condition     = toset(keys(output.worker_groups)) == toset(["worker-cpu", "worker-gpu"]) && output.worker_groups["worker-gpu"].gpu && output.worker_groups["worker-gpu"].instance_types == tolist(["g5.2xlarge", "g6.2xlarge"])
    error_message = "One worker group per autoscaled kind."
  }

  assert {
    condition = alltrue([for k, v in {
      Project                = "cdaprod", Environment = "dev", Kind = "worker-cpu", Groups = "airflow_worker worker_cpu", Gpu = "false",
      "cdaprod:worker_queue" = "cpu", Name = "cdaprod-test-worker-cpu"
    } : module.worker_group["worker-cpu"].instance_tags[k] == v])
    error_message = "Worker instances carry the tags fixed hosts carry (Project, Environment, Kind, Groups, Gpu) and the queue."
  }

  assert {
    condition     = module.worker_group["worker-gpu"].instance_tags["Gpu"] == "true" && module.worker_group["worker-gpu"].instance_tags["Kind"] == "worker-gpu"
    error_message = "GPU workers are tagged Gpu = true."
  }
}

run "workers_boot_from_the_bundle_with_their_own_group_names" {
  command = plan

  variables {
    hosts = {
      master     = { groups = ["airflow_master"], instance_type = "t3.large" }
      worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 1, max_size = 3 } }
    }
  }

  assert {
    condition = toset(keys(local.worker_boot_config["worker-cpu"])) == toset([
      "environment", "region", "bundle_bucket", "manifest_key", "secrets_id",
      "autoscaling_group_name", "lifecycle_hook_name", "queue", "kind", "groups",
    ])
    error_message = "The boot configuration has exactly the keys worker_boot reads."
  }

  assert {
    condition = (
      local.worker_boot_config["worker-cpu"].environment == "dev" &&
      local.worker_boot_config["worker-cpu"].region == "us-east-1" &&
      local.worker_boot_config["worker-cpu"].bundle_bucket == "cdaprod-test-bundles" &&
      local.worker_boot_config["worker-cpu"].manifest_key == "worker/current.json" &&
      local.worker_boot_config["worker-cpu"].secrets_id == var.secrets_id &&
      local.worker_boot_config["worker-cpu"].queue == "cpu" &&
      local.worker_boot_config["worker-cpu"].kind == "worker-cpu" &&
      local.worker_boot_config["worker-cpu"].groups == tolist(["airflow_worker", "worker_cpu"])
    )
    error_message = "The boot configuration names the environment, region, bundle bucket and manifest, the secret, the queue, the kind and its groups."
  }

  assert {
    condition = (
      local.worker_boot_config["worker-cpu"].autoscaling_group_name == module.worker_group["worker-cpu"].autoscaling_group_name &&
      local.worker_boot_config["worker-cpu"].lifecycle_hook_name == module.worker_group["worker-cpu"].lifecycle_hook_name
    )
    error_message = "The group and hook names the instance answers with are the ones worker_group creates."
  }

  assert {
    condition     = output.worker_groups["worker-cpu"].desired_capacity == 1 && output.worker_groups["worker-cpu"].instance_types == tolist(["c6i.xlarge"])
    error_message = "desired_capacity defaults to min_size; without extra types the group launches instance_type only."
  }

  assert {
    condition     = module.worker_group["worker-cpu"].instances_distribution.on_demand_percentage_above_base_capacity == 100
    error_message = "Without spot settings every worker is on demand."
  }
}

run "a_gpu_group_may_be_empty" {
  command = plan

  variables {
    hosts = {
      master     = { groups = ["airflow_master"], instance_type = "t3.large" }
      worker-gpu = { groups = ["airflow_worker", "worker_gpu"], instance_type = "g5.xlarge", gpu = true, root_volume_size = 100, autoscale = { queue = "gpu", min_size = 0, max_size = 1 } }
    }
  }

  assert {
    condition     = output.worker_groups["worker-gpu"].min_size == 0 && output.worker_groups["worker-gpu"].desired_capacity == 0 && output.worker_groups["worker-gpu"].max_size == 1
    error_message = "A GPU group may have min_size (and so desired_capacity) 0."
  }

  assert {
    condition     = length(aws_instance.this) == 1 && output.worker_groups["worker-gpu"].autoscaling_group_name == "cdaprod-test-worker-gpu"
    error_message = "Only the master is a fixed instance."
  }
}

run "the_spot_settings_reach_the_mixed_instances_policy" {
  command = plan

  variables {
    hosts = {
      master = { groups = ["airflow_master"], instance_type = "t3.large" }
      worker-cpu = {
        groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.2xlarge"
        autoscale = {
          queue                = "cpu", min_size = 1, max_size = 6, desired_capacity = 3
          extra_instance_types = ["c6a.2xlarge", "c5.2xlarge"]
          spot                 = { on_demand_base = 1, on_demand_above_base_percent = 0 }
        }
      }
      worker-gpu = {
        groups    = ["airflow_worker", "worker_gpu"], instance_type = "g5.2xlarge", gpu = true
        autoscale = { queue = "gpu", min_size = 0, max_size = 2, extra_instance_types = ["g6.2xlarge"] }
      }
    }
  }

  assert {
    condition = (
      module.worker_group["worker-cpu"].instances_distribution.instance_types == tolist(["c6i.2xlarge", "c6a.2xlarge", "c5.2xlarge"]) &&
      module.worker_group["worker-cpu"].instances_distribution.on_demand_base_capacity == 1 &&
      module.worker_group["worker-cpu"].instances_distribution.on_demand_percentage_above_base_capacity == 0 &&
      module.worker_group["worker-cpu"].instances_distribution.spot_allocation_strategy == "price-capacity-optimized"
    )
    error_message = "The cpu group keeps one worker on demand and buys spot above it, across its three types."
  }

  assert {
    condition     = module.worker_group["worker-gpu"].instances_distribution.on_demand_base_capacity == 0 && module.worker_group["worker-gpu"].instances_distribution.on_demand_percentage_above_base_capacity == 100
    error_message = "Without spot the gpu group's two types are all on demand."
  }
}

run "worker_and_scaler_policies_are_scoped_to_the_groups" {
  command = plan

  variables {
    data_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    bucket_arns = {
      raw         = "arn:aws:s3:::cdaprod-test-raw"
      derivatives = "arn:aws:s3:::cdaprod-test-derivatives"
      notebooks   = "arn:aws:s3:::cdaprod-test-notebooks"
      bundles     = "arn:aws:s3:::cdaprod-test-bundles"
    }
    bucket_access = {
      airflow_master = { read = ["raw"], write = ["notebooks"] }
      worker_cpu     = { read = ["raw", "bundles"], write = ["derivatives", "notebooks"] }
      worker_gpu     = { read = ["raw", "bundles"], write = ["derivatives", "notebooks"] }
    }
    hosts = {
      db         = { groups = ["postgres"], instance_type = "m6i.large" }
      master     = { groups = ["airflow_master", "ingress"], instance_type = "t3.large" }
      worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 1, max_size = 3 } }
      worker-gpu = { groups = ["airflow_worker", "worker_gpu"], instance_type = "g5.xlarge", gpu = true, autoscale = { queue = "gpu", min_size = 0, max_size = 1 } }
    }
  }

  assert {
    condition     = toset(keys(aws_iam_role_policy.worker)) == toset(["worker-cpu", "worker-gpu"])
    error_message = "Only autoscaled kinds get the worker policy."
  }

  assert {
    condition = toset(flatten([
      for s in data.aws_iam_policy_document.worker["worker-cpu"].statement : s.resources if s.sid == "ReadSecret"
    ])) == toset([var.secrets_id]) && one([for s in data.aws_iam_policy_document.worker["worker-cpu"].statement : s.actions if s.sid == "ReadSecret"]) == toset(["secretsmanager:GetSecretValue"])
    error_message = "Workers may read their secret (secrets_id), and only that secret."
  }

  assert {
    condition = anytrue([
      for s in data.aws_iam_policy_document.worker["worker-cpu"].statement : s.resources == toset([var.data_kms_key_arn]) && s.actions == toset(["kms:Decrypt"]) && length(s.condition) == 1 && alltrue([
        for c in s.condition : c.test == "StringEquals" && c.variable == "kms:ViaService" && c.values == tolist(["secretsmanager.us-east-1.amazonaws.com"])
      ]) if s.sid == "DecryptSecret"
    ])
    error_message = "Workers may decrypt with the data key, through Secrets Manager."
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.worker["worker-gpu"].statement : s if s.sid == "AnswerOwnLifecycleHook"
      ]).resources == toset(["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/cdaprod-test-worker-gpu"]) && one([
      for s in data.aws_iam_policy_document.worker["worker-gpu"].statement : s if s.sid == "AnswerOwnLifecycleHook"
    ]).actions == toset(["autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat", "autoscaling:SetInstanceHealth"])
    error_message = "A worker answers lifecycle actions and sets health on its own group only."
  }

  assert {
    condition     = alltrue(flatten([for d in data.aws_iam_policy_document.worker : [for s in d.statement : !contains(s.resources, "*")]]))
    error_message = "The worker policy names its resources: no \"*\"."
  }

  assert {
    condition     = contains(output.kinds["worker-cpu"].read, "bundles") && contains(output.kinds["worker-gpu"].read, "bundles") && !contains(output.kinds["master"].read, "bundles")
    error_message = "Workers read the bundles bucket through bucket_access."
  }

  assert {
    condition     = toset(keys(aws_iam_role_policy.scaler)) == toset(["master"])
    error_message = "Only the scaler_groups' kind (the master) may scale the workers."
  }

  assert {
    condition = one([for s in data.aws_iam_policy_document.scaler[0].statement : s if s.sid == "ScaleWorkerGroups"]).resources == toset([
      "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/cdaprod-test-worker-cpu",
      "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/cdaprod-test-worker-gpu",
    ]) && one([for s in data.aws_iam_policy_document.scaler[0].statement : s if s.sid == "ScaleWorkerGroups"]).actions == toset(["autoscaling:SetDesiredCapacity"])
    error_message = "The scaler sets the desired capacity of the worker groups and nothing else."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.scaler[0].statement : s if s.sid == "DescribeWorkerGroups"]).actions == toset(["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances"])
    error_message = "The scaler describes groups and instances (calls without resource scope)."
  }

  assert {
    condition = anytrue([
      for s in data.aws_iam_policy_document.scaler[0].statement : s.actions == toset(["cloudwatch:PutMetricData"]) && length(s.condition) == 1 && alltrue([
        for c in s.condition : c.test == "StringEquals" && c.variable == "cloudwatch:namespace" && c.values == tolist(["Cdaprod/Workers"])
      ]) if s.sid == "PublishWorkerMetrics"
    ])
    error_message = "The scaler publishes metrics under Cdaprod/Workers only."
  }
}

run "rejects_a_data_volume_on_an_autoscaled_kind" {
  command = plan

  variables {
    hosts = {
      worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", data_volume_size = 100, autoscale = { queue = "cpu", min_size = 1, max_size = 3 } }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_a_count_on_an_autoscaled_kind" {
  command = plan

  variables {
    hosts = {
      worker-cpu = { count = 3, groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 1, max_size = 3 } }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_a_bad_queue_name" {
  command = plan

  variables {
    hosts = {
      worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", autoscale = { queue = "CPU-queue", min_size = 1, max_size = 3 } }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_two_kinds_on_one_queue" {
  command = plan

  variables {
    hosts = {
      worker-a = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 1, max_size = 3 } }
      worker-b = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 1, max_size = 3 } }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_min_above_max" {
  command = plan

  variables {
    hosts = {
      worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 4, max_size = 3 } }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_desired_above_max" {
  command = plan

  variables {
    hosts = {
      worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 1, max_size = 3, desired_capacity = 4 } }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_a_gpu_extra_type_on_a_cpu_kind" {
  command = plan

  variables {
    hosts = {
      worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 1, max_size = 3, extra_instance_types = ["g5.xlarge"] } }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_an_extra_type_that_repeats_instance_type" {
  command = plan

  variables {
    hosts = {
      worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 1, max_size = 3, extra_instance_types = ["c6i.xlarge"] } }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_autoscaling_without_the_secret" {
  command = plan

  variables {
    secrets_id = null
    hosts = {
      worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 1, max_size = 3 } }
    }
  }

  expect_failures = [var.secrets_id]
}

run "rejects_autoscaling_without_the_bundle_bucket" {
  command = plan

  variables {
    worker_bundle_bucket = null
    hosts = {
      worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 1, max_size = 3 } }
    }
  }

  expect_failures = [var.worker_bundle_bucket]
}

run "rejects_an_autoscaled_group_without_security_group" {
  command = plan

  variables {
    hosts = {
      worker-cpu = { groups = ["airflow_worker", "worker_cpu", "monitoring"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 1, max_size = 3 } }
    }
  }

  expect_failures = [aws_iam_instance_profile.this["worker-cpu"]]
}
