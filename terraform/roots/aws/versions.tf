terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Partial configuration: bucket, key, region, encrypt and use_lockfile (S3 native
  # locking) come from terraform/environments/<env>/backend.hcl, written by
  # `make bootstrap ENV=<env>`; the key differs per environment.
  backend "s3" {}
}

# Credentials come from the usual chain (AWS_PROFILE, SSO, environment, instance role).
provider "aws" {
  region = var.region
}
