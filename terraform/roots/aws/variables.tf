# Inputs of one environment, set by terraform/environments/<env>/<env>.tfvars.
# Shapes (CIDR prefix, hosts and their groups, instance types) are validated by the modules; the
# checks here are per-environment policy, so a wrong tfvars fails at plan, before AWS.

variable "environment" {
  description = "Environment name (dev, stage, prod, emulated); must match the directory of the tfvars."
  type        = string

  validation {
    condition     = contains(["dev", "stage", "prod", "emulated"], var.environment)
    error_message = "environment must be one of dev, stage, prod, emulated."
  }
}

variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the environment's VPC (/16 to /24); distinct per environment so VPCs can be peered."
  type        = string
}

variable "azs" {
  description = "Availability zones (2 or 3) in region."
  type        = list(string)

  validation {
    condition     = alltrue([for az in var.azs : startswith(az, var.region)])
    error_message = "every AZ in azs must belong to region (e.g. us-east-1a for us-east-1)."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway instead of one per AZ (cheaper, but one AZ outage cuts egress)."
  type        = bool
  default     = false

  validation {
    condition     = !(var.single_nat_gateway && var.environment == "prod")
    error_message = "prod keeps one NAT gateway per AZ: set single_nat_gateway = false."
  }
}

variable "hosts" {
  description = "Hosts by kind, each with its Ansible groups, worker kinds with autoscale (see terraform/modules/platform, which validates them); null keeps the platform module's default layout."
  type = map(object({
    count            = optional(number, 1)
    groups           = list(string)
    instance_type    = string
    gpu              = optional(bool, false)
    root_volume_size = optional(number, 30)
    data_volume_size = optional(number, 0)
    ami_name_pattern = optional(string)
    autoscale = optional(object({
      queue                = string
      min_size             = number
      max_size             = number
      desired_capacity     = optional(number)
      extra_instance_types = optional(list(string), [])
      spot = optional(object({
        on_demand_base               = optional(number, 0)
        on_demand_above_base_percent = optional(number, 0)
      }))
      termination_heartbeat_timeout = optional(number, 3600)
    }))
  }))
  default = null
}

variable "termination_protection" {
  description = "EC2 termination protection on the hosts that hold data (postgres, weaviate groups)."
  type        = bool
  default     = true

  validation {
    condition     = var.termination_protection || contains(["dev", "emulated"], var.environment)
    error_message = "stage and prod keep termination_protection = true (only dev and emulated hosts are throw-away)."
  }
}

variable "public_airflow_ui" {
  description = "Publish the Airflow UI (airflow.<domain_name>) on the public load balancer; off by default."
  type        = bool
  default     = false
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

  validation {
    condition     = can(regex("^[a-z0-9-]{0,20}$", var.bucket_suffix))
    error_message = "bucket_suffix must be at most 20 lowercase letters, digits or hyphens."
  }
}

variable "deletion_protection" {
  description = "Deletion protection on the load balancer."
  type        = bool
  default     = true

  validation {
    condition     = var.deletion_protection || contains(["dev", "emulated"], var.environment)
    error_message = "stage and prod keep deletion_protection = true."
  }
}

variable "force_destroy" {
  description = "Allow destroying non-empty buckets."
  type        = bool
  default     = false

  validation {
    condition     = !var.force_destroy || contains(["dev", "emulated"], var.environment)
    error_message = "force_destroy empties buckets on destroy: only dev and emulated may set it."
  }
}

variable "detailed_monitoring" {
  description = "Detailed CloudWatch monitoring on every instance (off only where the API is absent, i.e. moto)."
  type        = bool
  default     = true

  validation {
    condition     = var.detailed_monitoring || var.environment == "emulated"
    error_message = "AWS environments keep detailed_monitoring = true (only moto lacks the API)."
  }
}

variable "alarm_email_addresses" {
  description = "Who gets the CloudWatch alarms (EC2 status checks, load balancer 5xx, the monitoring host) by e-mail; each address confirms once. Prometheus's alerts go to platform_alert_email_to in the inventory."
  type        = list(string)
  default     = []
}
