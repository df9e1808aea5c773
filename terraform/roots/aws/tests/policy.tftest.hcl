# The per-environment rules in variables.tf refuse unsafe inputs before anything is planned.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  environment = "prod"
  region      = "us-east-1"
  vpc_cidr    = "10.30.0.0/16"
  azs         = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

run "prod_refuses_force_destroy" {
  command = plan

  variables {
    force_destroy = true
  }

  expect_failures = [var.force_destroy]
}

run "prod_refuses_a_single_nat_gateway" {
  command = plan

  variables {
    single_nat_gateway = true
  }

  expect_failures = [var.single_nat_gateway]
}

run "stage_keeps_deletion_protection" {
  command = plan

  variables {
    environment         = "stage"
    deletion_protection = false
  }

  expect_failures = [var.deletion_protection]
}

run "aws_keeps_detailed_monitoring" {
  command = plan

  variables {
    environment         = "dev"
    detailed_monitoring = false
  }

  expect_failures = [var.detailed_monitoring]
}

run "azs_belong_to_the_region" {
  command = plan

  variables {
    azs = ["us-east-1a", "us-west-2b"]
  }

  expect_failures = [var.azs]
}

run "rejects_an_unknown_environment" {
  command = plan

  variables {
    environment = "qa"
  }

  expect_failures = [var.environment]
}

run "stage_keeps_termination_protection" {
  command = plan

  variables {
    environment            = "stage"
    termination_protection = false
  }

  expect_failures = [var.termination_protection]
}

run "dev_may_drop_termination_protection" {
  command = plan

  variables {
    environment            = "dev"
    termination_protection = false
  }

  assert {
    condition     = !module.platform.host_kinds["postgres"].protected && !module.platform.host_kinds["weaviate"].protected
    error_message = "dev may turn termination protection off."
  }
}
