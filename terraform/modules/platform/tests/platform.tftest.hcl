# Offline: the whole composition against the mock provider.
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
  mock_data "aws_elb_service_account" {
    defaults = {
      arn = "arn:aws:iam::127311923021:root"
    }
  }
  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    }
  }
  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::cdaprod-dev-mock"
    }
  }
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:us-east-1:123456789012:cdaprod-dev-mock"
    }
  }
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
      domain_validation_options = [
        for d in ["cdaprod.dev", "archive.cdaprod.dev", "api.cdaprod.dev", "app.cdaprod.dev", "airflow.cdaprod.dev"] : {
          domain_name           = d
          resource_record_name  = "_x1.${d}."
          resource_record_type  = "CNAME"
          resource_record_value = "_x2.acm-validations.aws."
        }
      ]
    }
  }
  mock_resource "aws_lb" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/cdaprod-dev-web/1234567890abcdef"
      arn_suffix = "app/cdaprod-dev-web/1234567890abcdef"
    }
  }
  mock_resource "aws_lb_listener" {
    defaults = {
      arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/cdaprod-dev-web/1234567890abcdef/1234567890abcdef"
    }
  }
  mock_resource "aws_lb_target_group" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cdaprod-dev-ingress/1234567890abcdef"
      arn_suffix = "targetgroup/cdaprod-dev-ingress/1234567890abcdef"
    }
  }
  # Worker groups take security group IDs and the secret's ARN only in their real shapes.
  mock_resource "aws_security_group" {
    defaults = {
      id = "sg-0123456789abcdef0"
    }
  }
  mock_resource "aws_launch_template" {
    defaults = {
      id = "lt-0123456789abcdef0"
    }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = {
      arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cdaprod-dev/platform-AbCdEf"
    }
  }
  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:us-east-1:123456789012:cdaprod-dev-alarms"
    }
  }
}

variables {
  environment = "dev"
  vpc_cidr    = "10.10.0.0/16"
  azs         = ["us-east-1a", "us-east-1b"]
  # The dev layout: several groups on each fixed host, the workers autoscaled per queue.
  hosts = {
    data       = { groups = ["postgres", "weaviate"], instance_type = "r6i.large", data_volume_size = 50 }
    master     = { groups = ["airflow_master", "video_archive", "social_gateway", "ingress"], instance_type = "t3.large" }
    worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", root_volume_size = 100, autoscale = { queue = "cpu", min_size = 1, max_size = 2 } }
    worker-gpu = { groups = ["airflow_worker", "worker_gpu"], instance_type = "g5.xlarge", gpu = true, root_volume_size = 100, autoscale = { queue = "gpu", min_size = 0, max_size = 1 } }
  }
}

run "composes_every_host_group" {
  command = plan

  variables {
    hosts = null
  }

  assert {
    condition     = toset(concat(flatten(values(module.compute.instance_groups)), flatten([for g in values(module.compute.worker_groups) : g.groups]))) == toset(local.known_groups)
    error_message = "The default layout runs every cloud group of the architecture (the workers' in their groups)."
  }

  assert {
    condition     = toset(keys(module.compute.worker_groups)) == toset(["worker-cpu", "worker-gpu"]) && length([for name, _ in module.compute.instance_ids : name if strcontains(name, "worker")]) == 0
    error_message = "The default layout autoscales both worker kinds and has no fixed worker."
  }

  assert {
    condition     = local.name_prefix == "cdaprod-dev" && local.tags["Environment"] == "dev" && local.tags["Project"] == "cdaprod"
    error_message = "Names and tags come from one project/environment pair."
  }
}

run "every_known_group_has_a_security_group" {
  command = apply

  assert {
    condition     = alltrue([for g in local.known_groups : contains(keys(module.network.security_group_ids), lookup(local.group_security_group, g, g))])
    error_message = "Each cloud group maps to a security group the network module creates."
  }

  assert {
    condition     = length(setsubtract(concat(keys(local.bucket_access), keys(local.queue_access), keys(local.group_security_group), local.stateful_groups), local.known_groups)) == 0
    error_message = "Grants, security group mappings and stateful groups name only known groups."
  }
}

run "a_multi_group_host_gets_the_union_of_its_groups" {
  command = apply

  assert {
    condition     = output.host_kinds["master"].security_groups == tolist(["airflow_master", "ingress", "social_gateway", "video_archive"])
    error_message = "The master gets the security groups of airflow_master, video_archive, social_gateway and ingress, and no other."
  }

  assert {
    condition     = output.host_kinds["worker-cpu"].security_groups == tolist(["airflow_worker"]) && output.host_kinds["worker-gpu"].security_groups == tolist(["airflow_worker"])
    error_message = "Workers get the airflow_worker security group (worker_cpu/worker_gpu map to it)."
  }

  assert {
    condition     = output.host_kinds["master"].read == tolist(["derivatives", "raw"]) && output.host_kinds["master"].write == tolist(["notebooks"])
    error_message = "The master reads raw (airflow_master, video_archive) and derivatives (video_archive, social_gateway, ingress) and writes notebooks (airflow_master): exactly the union."
  }

  assert {
    condition     = length(output.host_kinds["master"].consume) == 0 && output.host_kinds["worker-cpu"].consume == tolist(["ingest"]) && length(output.host_kinds["worker-gpu"].consume) == 0
    error_message = "Only worker_cpu consumes the ingest queue (the SQS sensor runs on the cpu queue), not the master."
  }

  assert {
    condition     = output.host_kinds["worker-cpu"].write == tolist(["derivatives", "notebooks"]) && output.host_kinds["worker-cpu"].read == tolist(["bundles", "raw"])
    error_message = "Workers read raw and their configuration bundles and write derivatives and notebooks."
  }

  assert {
    condition     = output.host_kinds["data"].write == tolist(["backups"]) && length(output.host_kinds["data"].read) == 0
    error_message = "The data host (postgres, weaviate) only writes backups."
  }

  assert {
    condition     = output.host_kinds["data"].security_groups == tolist(["postgres", "weaviate"])
    error_message = "The data host gets the postgres and weaviate security groups."
  }
}

run "termination_protection_only_on_stateful_hosts" {
  command = apply

  assert {
    condition     = [for k, v in output.host_kinds : k if v.protected] == ["data"]
    error_message = "Only hosts with postgres or weaviate are termination-protected."
  }
}

run "the_monitoring_host_lists_instances_and_is_watched_from_outside" {
  command = apply

  variables {
    hosts = {
      data       = { groups = ["postgres", "weaviate"], instance_type = "r6i.large", data_volume_size = 50 }
      master     = { groups = ["airflow_master", "video_archive", "social_gateway", "ingress"], instance_type = "t3.large" }
      worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge" }
      monitoring = { groups = ["monitoring"], instance_type = "t3.medium" }
    }
  }

  assert {
    condition     = [for k, v in output.host_kinds : k if v.discovers] == ["monitoring"]
    error_message = "Only the monitoring host may list the instances (Prometheus's EC2 discovery)."
  }

  assert {
    condition     = length(module.alarms.alarm_names) == length(module.compute.instance_ids) + 3
    error_message = "Every host has a status-check alarm, beside the load balancer's three."
  }

  assert {
    condition = alltrue([for name, a in module.alarms.status_alarms :
    a.treat_missing_data == (name == "cdaprod-dev-monitoring-1" ? "breaching" : "missing")])
    error_message = "Only the monitoring host's silence alarms: nothing else watches it."
  }
}

run "the_load_balancer_targets_the_ingress_hosts" {
  command = plan

  assert {
    condition     = keys(module.compute.instance_ids) == ["cdaprod-dev-data-1", "cdaprod-dev-master-1"]
    error_message = "Fixed host names are <name_prefix>-<kind>-<n>; autoscaled workers are not among them."
  }

  assert {
    condition     = [for name, groups in module.compute.instance_groups : name if contains(groups, "ingress")] == ["cdaprod-dev-master-1"]
    error_message = "The ingress group is on the master host here."
  }
}

run "airflow_ui_is_private_by_default" {
  command = plan

  assert {
    condition     = !contains(keys(output.fqdns), "airflow") && toset(keys(output.fqdns)) == toset(["archive", "api", "app"])
    error_message = "Without public_airflow_ui the airflow name is not on the public load balancer."
  }
}

run "airflow_ui_can_be_published" {
  command = plan

  variables {
    public_airflow_ui = true
  }

  assert {
    condition     = output.fqdns["airflow"] == "airflow.cdaprod.dev" && output.inventory.public_airflow_ui
    error_message = "public_airflow_ui = true adds the airflow name (host rule, certificate name)."
  }
}

run "inventory_output_shape" {
  command = apply

  assert {
    condition = toset(keys(output.inventory)) == toset([
      "environment", "region", "domain", "private_cidr", "buckets", "ingest_queue_url",
      "ingest_dead_letter_queue_url", "secrets_id", "ssm_transfer_bucket", "public_airflow_ui", "discovery_tags", "hosts",
      "worker_groups", "bundle_manifest_key", "worker_secrets_id",
    ])
    error_message = "The inventory output has exactly the keys the inventory writer reads."
  }

  assert {
    condition = (
      output.inventory.environment == "dev" && output.inventory.region == "us-east-1" &&
      output.inventory.domain == "cdaprod.dev" && output.inventory.private_cidr == "10.10.0.0/16" &&
      output.inventory.public_airflow_ui == false
    )
    error_message = "environment, region, domain and private_cidr come from the inputs."
  }

  assert {
    condition     = toset(keys(output.inventory.buckets)) == toset(["raw", "derivatives", "notebooks", "backups", "bundles", "logs", "transfer"])
    error_message = "buckets maps every purpose, bundles and transfer included, to a name."
  }

  assert {
    condition     = output.inventory.discovery_tags == { Project = "cdaprod", Environment = "dev" }
    error_message = "discovery_tags are the tags that select this environment's instances (Prometheus's EC2 discovery)."
  }

  assert {
    condition     = output.inventory.ssm_transfer_bucket == output.inventory.buckets["transfer"] && output.inventory.ssm_transfer_bucket == output.ssm_transfer_bucket
    error_message = "ssm_transfer_bucket is the transfer bucket."
  }

  assert {
    condition = (
      output.inventory.secrets_id == module.storage.secret_arn && output.inventory.secrets_id != null &&
      output.inventory.ingest_queue_url == module.storage.ingest_queue_url &&
      output.inventory.ingest_dead_letter_queue_url == module.storage.ingest_dead_letter_queue_url &&
      output.inventory.ingest_dead_letter_queue_url != null
    )
    error_message = "The secret's ARN and both queue URLs are in the inventory."
  }

  assert {
    condition     = keys(output.inventory.hosts) == ["cdaprod-dev-data-1", "cdaprod-dev-master-1"]
    error_message = "inventory.hosts holds every fixed host by name."
  }

  assert {
    condition = keys(output.inventory.worker_groups) == ["worker-cpu", "worker-gpu"] && alltrue([
      for g in values(output.inventory.worker_groups) : toset(keys(g)) == toset([
        "queue", "autoscaling_group_name", "lifecycle_hook_name", "launch_template_id", "min_size", "max_size", "desired_capacity", "instance_types", "groups", "gpu",
      ])
    ])
    error_message = "inventory.worker_groups holds each autoscaled kind with exactly queue, group and hook names, launch template, sizes, instance types, groups and gpu."
  }

  assert {
    condition = (
      output.inventory.worker_groups["worker-cpu"].autoscaling_group_name == "cdaprod-dev-worker-cpu" &&
      output.inventory.worker_groups["worker-gpu"].lifecycle_hook_name == "cdaprod-dev-worker-gpu-drain" &&
      output.inventory.worker_groups["worker-gpu"].gpu && output.inventory.worker_groups["worker-gpu"].min_size == 0 &&
      output.inventory.bundle_manifest_key == "worker/current.json" &&
      output.inventory.worker_secrets_id == module.storage.worker_secret_arn &&
      module.compute.worker_groups["worker-cpu"].queue == "cpu" &&
      output.worker_groups == output.inventory.worker_groups
    )
    error_message = "The worker groups are named after their queues; the bundle manifest key is in the inventory."
  }

  assert {
    condition     = alltrue([for h in values(output.inventory.hosts) : toset(keys(h)) == toset(["id", "kind", "groups", "private_ip", "availability_zone", "instance_type", "gpu", "data_volume_id"])])
    error_message = "Each host has exactly id, kind, groups, private_ip, availability_zone, instance_type, gpu and data_volume_id."
  }

  assert {
    condition = (
      output.inventory.hosts["cdaprod-dev-master-1"].kind == "master" &&
      output.inventory.hosts["cdaprod-dev-master-1"].groups == tolist(["airflow_master", "video_archive", "social_gateway", "ingress"]) &&
      output.inventory.hosts["cdaprod-dev-master-1"].data_volume_id == null &&
      output.inventory.hosts["cdaprod-dev-data-1"].data_volume_id != null &&
      !output.inventory.hosts["cdaprod-dev-master-1"].gpu
    )
    error_message = "Hosts carry kind, groups, the GPU flag and their data volume id (null without one)."
  }

  assert {
    condition     = output.hosts == output.inventory.hosts
    error_message = "The hosts output stays, equal to inventory.hosts."
  }
}

run "autoscaled_workers_read_their_bundle_and_the_master_scales_them" {
  command = apply

  assert {
    condition     = contains(output.host_kinds["worker-cpu"].read, "bundles") && contains(output.host_kinds["worker-gpu"].read, "bundles") && !contains(output.host_kinds["master"].read, "bundles")
    error_message = "Workers (worker_cpu, worker_gpu) read the bundles bucket; nothing else does."
  }

  assert {
    condition     = output.host_kinds["worker-cpu"].autoscaled && output.host_kinds["worker-gpu"].autoscaled && !output.host_kinds["master"].autoscaled
    error_message = "host_kinds says which kinds are autoscaled."
  }

  assert {
    condition     = toset(keys(module.compute.role_arns)) == toset(["data", "master", "worker-cpu", "worker-gpu"])
    error_message = "Autoscaled kinds keep their IAM role."
  }

  assert {
    condition     = length(module.alarms.alarm_names) == length(module.compute.instance_ids) + 3
    error_message = "Status-check alarms cover the fixed hosts (a worker group replaces its unhealthy instances)."
  }
}

run "rejects_an_autoscaled_kind_on_the_wrong_worker_group" {
  command = plan

  variables {
    hosts = {
      db         = { groups = ["postgres"], instance_type = "m6i.large" }
      master     = { groups = ["airflow_master"], instance_type = "t3.large" }
      worker-gpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "g5.xlarge", gpu = true, autoscale = { queue = "gpu", min_size = 0, max_size = 1 } }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_an_autoscaled_kind_without_airflow_worker" {
  command = plan

  variables {
    hosts = {
      db         = { groups = ["postgres"], instance_type = "m6i.large" }
      master     = { groups = ["airflow_master"], instance_type = "t3.large" }
      worker-cpu = { groups = ["worker_cpu"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 1, max_size = 2 } }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_an_autoscaled_kind_on_both_queues" {
  command = plan

  variables {
    hosts = {
      db         = { groups = ["postgres"], instance_type = "m6i.large" }
      master     = { groups = ["airflow_master"], instance_type = "t3.large" }
      worker-cpu = { groups = ["airflow_worker", "worker_cpu", "worker_gpu"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 1, max_size = 2 } }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_an_autoscaled_kind_with_a_fixed_hosts_group" {
  command = plan

  variables {
    hosts = {
      db         = { groups = ["postgres"], instance_type = "m6i.large" }
      master     = { groups = ["airflow_master"], instance_type = "t3.large" }
      worker-cpu = { groups = ["airflow_worker", "worker_cpu", "ingress"], instance_type = "c6i.xlarge", autoscale = { queue = "cpu", min_size = 1, max_size = 2 } }
    }
  }

  expect_failures = [var.hosts]
}

run "the_secret_is_named_after_the_environment" {
  command = plan

  variables {
    environment = "stage"
  }

  assert {
    condition     = module.storage.secret_name == "cdaprod-stage/platform"
    error_message = "The secret is named <name_prefix>/platform."
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

# Each bad hosts value below breaks exactly one rule (see variables.tf for the messages).

run "rejects_an_unknown_group" {
  command = plan

  variables {
    hosts = {
      db     = { groups = ["postgres"], instance_type = "m6i.large" }
      master = { groups = ["airflow_master", "monitoring_typo"], instance_type = "t3.large" }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_the_local_only_saas_standins" {
  command = plan

  variables {
    hosts = {
      db     = { groups = ["postgres"], instance_type = "m6i.large" }
      master = { groups = ["airflow_master", "social_gateway", "saas_standins"], instance_type = "t3.large" }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_a_host_kind_without_groups" {
  command = plan

  variables {
    hosts = {
      db     = { groups = ["postgres"], instance_type = "m6i.large" }
      master = { groups = ["airflow_master"], instance_type = "t3.large" }
      spare  = { groups = [], instance_type = "t3.large" }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_a_worker_outside_airflow_worker" {
  command = plan

  variables {
    hosts = {
      db         = { groups = ["postgres"], instance_type = "m6i.large" }
      master     = { groups = ["airflow_master"], instance_type = "t3.large" }
      worker-gpu = { groups = ["worker_gpu"], instance_type = "g5.xlarge", gpu = true }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_two_airflow_masters" {
  command = plan

  variables {
    hosts = {
      db     = { groups = ["postgres"], instance_type = "m6i.large" }
      master = { count = 2, groups = ["airflow_master"], instance_type = "t3.large" }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_no_airflow_master" {
  command = plan

  variables {
    hosts = {
      db = { groups = ["postgres"], instance_type = "m6i.large" }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_two_postgres_hosts" {
  command = plan

  variables {
    hosts = {
      db     = { groups = ["postgres"], instance_type = "m6i.large" }
      master = { groups = ["airflow_master", "postgres"], instance_type = "t3.large" }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_no_postgres" {
  command = plan

  variables {
    hosts = {
      master = { groups = ["airflow_master"], instance_type = "t3.large" }
    }
  }

  expect_failures = [var.hosts]
}

run "rejects_airflow_in_subdomains" {
  command = plan

  variables {
    subdomains = ["archive", "airflow"]
  }

  expect_failures = [var.subdomains]
}
