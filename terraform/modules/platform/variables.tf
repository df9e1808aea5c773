################################################################################
# Identity
################################################################################

variable "project" {
  description = "Project name; first part of every resource name and the Project tag."
  type        = string
  default     = "cdaprod"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,14}$", var.project))
    error_message = "project must be 2-15 lowercase letters or digits, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name: dev, stage, prod, or emulated (moto on 127.0.0.1)."
  type        = string

  validation {
    condition     = contains(["dev", "stage", "prod", "emulated"], var.environment)
    error_message = "environment must be one of dev, stage, prod, emulated."
  }
}

variable "extra_tags" {
  description = "Tags added to every resource besides Project, Environment and ManagedBy."
  type        = map(string)
  default     = {}
}

################################################################################
# Network
################################################################################

variable "vpc_cidr" {
  description = "IPv4 CIDR of the environment's VPC (/16 to /24)."
  type        = string

  validation {
    condition = (
      can(cidrhost(var.vpc_cidr, 0)) &&
      try(cidrhost(var.vpc_cidr, 0) == split("/", var.vpc_cidr)[0], false) &&
      try(tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 24, false)
    )
    error_message = "vpc_cidr must be an IPv4 network address with a prefix between /16 and /24 (e.g. 10.20.0.0/16)."
  }
}

variable "azs" {
  description = "Availability zones (2 or 3)."
  type        = list(string)
}

variable "single_nat_gateway" {
  description = "One NAT gateway for the whole VPC instead of one per AZ."
  type        = bool
  default     = false
}

variable "flow_log_destination_type" {
  description = "VPC flow logs to the logs bucket (\"s3\") or to CloudWatch Logs (\"cloud-watch-logs\")."
  type        = string
  default     = "s3"
}

variable "http_redirect_from_internet" {
  description = "Open port 80 on the load balancer to the internet for the HTTP-to-HTTPS redirect."
  type        = bool
  default     = false
}

################################################################################
# Hosts
################################################################################

variable "groups" {
  description = "Host groups (see the compute module): postgres, weaviate, airflow_master, worker_cpu, worker_gpu, ingress."
  type = map(object({
    count            = number
    instance_type    = string
    gpu              = optional(bool, false)
    root_volume_size = optional(number, 30)
    data_volume_size = optional(number, 0)
    security_group   = string
    ami_name_pattern = optional(string)
  }))
  nullable = false
  default = {
    postgres       = { count = 1, instance_type = "m6i.large", data_volume_size = 100, security_group = "postgres" }
    weaviate       = { count = 1, instance_type = "r6i.large", data_volume_size = 100, security_group = "weaviate" }
    airflow_master = { count = 1, instance_type = "m6i.large", security_group = "airflow_master" }
    worker_cpu     = { count = 2, instance_type = "c6i.xlarge", data_volume_size = 200, security_group = "airflow_worker" }
    worker_gpu     = { count = 1, instance_type = "g5.xlarge", gpu = true, root_volume_size = 60, data_volume_size = 200, security_group = "airflow_worker" }
    ingress        = { count = 1, instance_type = "t3.medium", security_group = "ingress" }
  }

  validation {
    condition     = length(setsubtract(["postgres", "weaviate", "airflow_master", "worker_cpu", "worker_gpu", "ingress"], keys(var.groups))) == 0
    error_message = "groups must define postgres, weaviate, airflow_master, worker_cpu, worker_gpu and ingress (count may be 0)."
  }
}

variable "ami_owner" {
  description = "Owner account of the Debian 12 AMIs."
  type        = string
  default     = "136693071363"
}

################################################################################
# Storage
################################################################################

variable "bucket_suffix" {
  description = "Suffix that makes bucket names globally unique (e.g. the account ID)."
  type        = string
  default     = ""
}

variable "create_kms_key" {
  description = "Encrypt data buckets and the ingest queue with a customer-managed KMS key."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Allow destroying non-empty buckets (emulated and throw-away environments only)."
  type        = bool
  default     = false
}

################################################################################
# DNS and load balancer
################################################################################

variable "domain_name" {
  description = "Zone for the service names, e.g. cdaprod.dev."
  type        = string
  default     = "cdaprod.dev"
}

variable "create_zone" {
  description = "Create the Route53 zone (true) or look up an existing one (false)."
  type        = bool
  default     = true
}

variable "subdomains" {
  description = "Service names under domain_name."
  type        = list(string)
  default     = ["archive", "airflow", "api"]
}

variable "deletion_protection" {
  description = "Deletion protection on the load balancer."
  type        = bool
  default     = true
}

variable "wait_for_certificate" {
  description = "Wait for ACM DNS validation before creating the HTTPS listener."
  type        = bool
  default     = true
}

variable "detailed_monitoring" {
  description = "Detailed CloudWatch monitoring on every instance (off only where the API is absent, e.g. moto)."
  type        = bool
  default     = true
}
