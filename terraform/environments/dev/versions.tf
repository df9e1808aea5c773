terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Partial configuration: `make bootstrap ENV=...` creates the bucket and writes backend.hcl
  # (bucket, key, region, encrypt, use_lockfile = S3 native locking).
  backend "s3" {}
}

provider "aws" {
  region = var.region
}
