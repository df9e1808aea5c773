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
    condition     = length(setsubtract(["postgres", "airflow_master", "airflow_worker", "worker_cpu", "worker_gpu", "video_archive", "social_gateway", "ingress"], flatten([for h in values(output.hosts) : h.groups]))) == 0
    error_message = "Every environment runs at least one host of every group the playbook needs (weaviate is optional: the embedded index stands in)."
  }

  assert {
    condition     = var.hosts == null || length(output.hosts) == sum(concat([0], [for h in values(coalesce(var.hosts, {})) : h.count]))
    error_message = "The plan must hold exactly the hosts the tfvars ask for."
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
    ])
    error_message = "The inventory output has exactly the keys the inventory writer reads."
  }

  assert {
    condition     = alltrue([for h in values(output.inventory.hosts) : toset(keys(h)) == toset(["id", "kind", "groups", "private_ip", "availability_zone", "instance_type", "gpu", "data_volume_id"])])
    error_message = "Each inventory host has exactly id, kind, groups, private_ip, availability_zone, instance_type, gpu and data_volume_id."
  }
}
