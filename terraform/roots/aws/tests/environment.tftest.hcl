# Plans the root with one environment's inputs against the mock provider: proof, offline
# and without credentials, that terraform/environments/<env>/<env>.tfvars is valid.
# Needs -var-file; `make tf-test-envs` (part of make test-terraform) runs it per environment:
#   terraform test -filter=tests/environment.tftest.hcl -var-file=../../environments/dev/dev.tfvars

mock_provider "aws" {
  source = "./tests/mocks"
}

run "plans_the_environment" {
  command = plan

  assert {
    condition     = output.environment == var.environment && output.region == var.region
    error_message = "Outputs must name the environment and region of the tfvars."
  }

  assert {
    condition     = length(setsubtract(["postgres", "airflow_master", "airflow_worker", "worker_cpu", "worker_gpu", "video_archive", "social_gateway", "ingress"], flatten(concat([for h in values(output.hosts) : h.groups], [for g in values(output.worker_groups) : g.groups])))) == 0
    error_message = "Every environment runs every group the playbook needs, on a fixed host or in a worker group (weaviate is optional: the embedded index stands in)."
  }

  assert {
    condition     = var.hosts == null || length(output.hosts) == sum(concat([0], [for h in values(coalesce(var.hosts, {})) : h.count if h.autoscale == null]))
    error_message = "The plan must hold exactly the fixed hosts the tfvars ask for."
  }

  assert {
    condition     = var.hosts == null || toset(keys(output.worker_groups)) == toset([for k, h in coalesce(var.hosts, {}) : k if h.autoscale != null])
    error_message = "The plan must hold one worker group per autoscaled kind of the tfvars."
  }

  assert {
    condition     = alltrue([for name, h in output.hosts : !contains(h.groups, "airflow_worker")])
    error_message = "Workers are autoscaled in every environment: no fixed host runs airflow_worker."
  }

  assert {
    condition     = alltrue([for k, g in output.worker_groups : g.autoscaling_group_name == "cdaprod-${var.environment}-worker-${g.queue}" && contains(g.groups, "worker_${g.queue}")])
    error_message = "Worker groups are named <project>-<environment>-worker-<queue> and run their queue's worker group."
  }

  assert {
    condition     = output.inventory.worker_groups == output.worker_groups && output.inventory.bundle_manifest_key == "worker/current.json"
    error_message = "inventory.worker_groups and the worker_groups output are the same; the inventory names the bundle manifest."
  }

  assert {
    condition = alltrue([for g in values(output.inventory.worker_groups) : toset(keys(g)) == toset([
      "queue", "autoscaling_group_name", "lifecycle_hook_name", "launch_template_id", "min_size", "max_size", "desired_capacity", "instance_types", "groups", "gpu",
    ])])
    error_message = "Each inventory worker group has exactly queue, autoscaling_group_name, lifecycle_hook_name, launch_template_id, min_size, max_size, desired_capacity, instance_types, groups and gpu."
  }

  assert {
    condition     = alltrue([for name, h in output.hosts : startswith(name, "cdaprod-${var.environment}-${h.kind}-")])
    error_message = "Host names are <project>-<environment>-<kind>-<n>, so two environments never share a name."
  }

  assert {
    condition     = output.inventory.environment == var.environment && output.inventory.private_cidr == var.vpc_cidr && output.inventory.domain == var.domain_name
    error_message = "The inventory output names the environment, its VPC range and its domain."
  }

  assert {
    condition     = output.inventory.hosts == output.hosts
    error_message = "inventory.hosts and the hosts output are the same."
  }

  assert {
    condition = toset(keys(output.inventory)) == toset([
      "environment", "region", "domain", "private_cidr", "buckets", "ingest_queue_url",
      "ingest_dead_letter_queue_url", "secrets_id", "ssm_transfer_bucket", "public_airflow_ui", "discovery_tags", "hosts",
      "worker_groups", "bundle_manifest_key", "worker_secrets_id",
    ])
    error_message = "The inventory output has exactly the keys the inventory writer reads."
  }

  assert {
    condition     = alltrue([for h in values(output.inventory.hosts) : toset(keys(h)) == toset(["id", "kind", "groups", "private_ip", "availability_zone", "instance_type", "gpu", "data_volume_id"])])
    error_message = "Each inventory host has exactly id, kind, groups, private_ip, availability_zone, instance_type, gpu and data_volume_id."
  }
}
