variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "us-east-1"
}

variable "environment" {
  description = "Environment name (dev, stage, prod, emulated)."
  type        = string
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the environment's VPC."
  type        = string
}

variable "azs" {
  description = "Availability zones (2 or 3) in region."
  type        = list(string)
}

variable "single_nat_gateway" {
  description = "One NAT gateway instead of one per AZ."
  type        = bool
  default     = false
}

variable "groups" {
  description = "Host groups (see terraform/modules/compute); null keeps the platform module's default sizes."
  type = map(object({
    count            = number
    instance_type    = string
    gpu              = optional(bool, false)
    root_volume_size = optional(number, 30)
    data_volume_size = optional(number, 0)
    security_group   = string
    ami_name_pattern = optional(string)
  }))
  default = null
}

variable "domain_name" {
  description = "Zone of the service names."
  type        = string
  default     = "cdaprod.dev"
}

variable "create_zone" {
  description = "Create the Route53 zone (true) or look up an existing one (false)."
  type        = bool
  default     = true
}

variable "bucket_suffix" {
  description = "Suffix that makes bucket names globally unique (e.g. the account ID)."
  type        = string
  default     = ""
}

variable "deletion_protection" {
  description = "Deletion protection on the load balancer."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Allow destroying non-empty buckets."
  type        = bool
  default     = false
}

variable "detailed_monitoring" {
  description = "Detailed CloudWatch monitoring on every instance."
  type        = bool
  default     = true
}
