terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Local state: the emulated environment lives only as long as its moto server.
}

# Every service the platform uses, pointed at the moto server on loopback.
provider "aws" {
  region                      = var.region
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    acm     = var.moto_url
    ec2     = var.moto_url
    elbv2   = var.moto_url
    iam     = var.moto_url
    kms     = var.moto_url
    logs    = var.moto_url
    route53 = var.moto_url
    s3      = var.moto_url
    sqs     = var.moto_url
    sts     = var.moto_url
  }
}
