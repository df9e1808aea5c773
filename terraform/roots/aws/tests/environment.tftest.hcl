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
    condition     = length(setsubtract(["postgres", "weaviate", "airflow_master", "worker_cpu", "worker_gpu", "ingress"], [for h in values(output.hosts) : h.group])) == 0
    error_message = "Every environment runs at least one host of every group (the playbook configures each)."
  }

  assert {
    condition     = var.groups == null || length(output.hosts) == sum(concat([0], [for g in values(coalesce(var.groups, {})) : g.count]))
    error_message = "The plan must hold exactly the hosts the tfvars ask for."
  }

  assert {
    condition     = alltrue([for name in keys(output.hosts) : startswith(name, "cdaprod-${var.environment}-")])
    error_message = "Host names carry the environment, so two environments never share a name."
  }
}
