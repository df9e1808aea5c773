terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Local state: the emulated environment lives only as long as its moto server.
  # platformctl sets `path` (-backend-config) to terraform/environments/emulated/, so
  # every environment's working data sits in its own directory.
  backend "local" {}
}
