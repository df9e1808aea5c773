################################################################################
# What makes this root differ from roots/aws: the provider talks to a moto server on
# loopback with moto's fixed test keys. main.tf, variables.tf and outputs.tf are the
# AWS root's own files (symlinks), so the composition under test is the one deployed.
################################################################################

variable "moto_url" {
  description = "Endpoint of the moto server that stands in for AWS; loopback only."
  type        = string
  default     = "http://127.0.0.1:5000"

  validation {
    condition     = can(regex("^http://(127\\.0\\.0\\.1|localhost):[0-9]{1,5}/?$", var.moto_url))
    error_message = "moto_url must be http://127.0.0.1:<port> (the emulated environment never leaves loopback)."
  }
}

# Every service the platform uses, pointed at the moto server.
provider "aws" {
  region                      = var.region
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    acm            = var.moto_url
    autoscaling    = var.moto_url
    cloudwatch     = var.moto_url
    ec2            = var.moto_url
    elbv2          = var.moto_url
    iam            = var.moto_url
    kms            = var.moto_url
    logs           = var.moto_url
    route53        = var.moto_url
    s3             = var.moto_url
    secretsmanager = var.moto_url
    sns            = var.moto_url
    sqs            = var.moto_url
    sts            = var.moto_url
  }
}
