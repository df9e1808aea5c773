################################################################################
# Naming
################################################################################

variable "name_prefix" {
  description = "Prefix for every resource name, e.g. \"cdaprod-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags applied to every resource (Project, Environment, ...)."
  type        = map(string)
  default     = {}
}

################################################################################
# Addressing
################################################################################

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC, /16 to /24, e.g. \"10.20.0.0/16\"."
  type        = string

  validation {
    condition = (
      can(cidrhost(var.vpc_cidr, 0)) &&
      can(regex("^\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+$", var.vpc_cidr)) &&
      try(cidrhost(var.vpc_cidr, 0) == split("/", var.vpc_cidr)[0], false) &&
      try(tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 24, false)
    )
    error_message = "vpc_cidr must be an IPv4 network address with a prefix between /16 and /24 (e.g. 10.20.0.0/16)."
  }
}

variable "azs" {
  description = "Availability zones to spread subnets across (2 or 3)."
  type        = list(string)

  validation {
    condition     = length(var.azs) >= 2 && length(var.azs) <= 3 && length(distinct(var.azs)) == length(var.azs)
    error_message = "azs must list 2 or 3 distinct availability zones."
  }
}

variable "subnet_newbits" {
  description = "Bits added to the VPC prefix for each subnet (public and private subnets are carved with cidrsubnet)."
  type        = number
  default     = 4

  validation {
    condition     = var.subnet_newbits >= 2 && var.subnet_newbits <= 8
    error_message = "subnet_newbits must be between 2 and 8."
  }
}

################################################################################
# NAT
################################################################################

variable "single_nat_gateway" {
  description = "Use one NAT gateway for all private subnets (cheaper) instead of one per AZ (resilient)."
  type        = bool
  default     = false
}

################################################################################
# Flow logs
################################################################################

variable "flow_log_destination_type" {
  description = "Where VPC flow logs go: \"s3\" (flow_log_bucket_arn) or \"cloud-watch-logs\" (a log group this module creates)."
  type        = string
  default     = "s3"

  validation {
    condition     = contains(["s3", "cloud-watch-logs"], var.flow_log_destination_type)
    error_message = "flow_log_destination_type must be \"s3\" or \"cloud-watch-logs\"."
  }
}

variable "flow_log_bucket_arn" {
  description = "ARN of the bucket that receives flow logs when flow_log_destination_type is \"s3\"."
  type        = string
  default     = null

  validation {
    condition     = var.flow_log_bucket_arn == null || can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]{3,63}(/.*)?$", var.flow_log_bucket_arn))
    error_message = "flow_log_bucket_arn must be an S3 bucket ARN, optionally with a key prefix (arn:aws:s3:::bucket/vpc/)."
  }
}

variable "flow_log_retention_days" {
  description = "Retention of the CloudWatch flow log group, in days (cloud-watch-logs only)."
  type        = number
  default     = 365
}

variable "flow_log_kms_key_arn" {
  description = "KMS key ARN that encrypts the CloudWatch flow log group (cloud-watch-logs only)."
  type        = string
  default     = null
}

################################################################################
# Security groups
################################################################################

variable "http_redirect_from_internet" {
  description = "Open port 80 on the load balancer to the internet (it only redirects to 443). Off by default: only 443 faces the internet."
  type        = bool
  default     = false
}

variable "redis_port" {
  description = "Port of the Redis Celery broker on the airflow_master group."
  type        = number
  default     = 6379
}

variable "video_archive_port" {
  description = "Port of the video archive web service on the video_archive group (reached from the ingress)."
  type        = number
  default     = 8700

  validation {
    condition     = var.video_archive_port >= 1024 && var.video_archive_port <= 65535
    error_message = "video_archive_port must be an unprivileged port (1024-65535)."
  }
}

variable "archive_app_port" {
  description = "Port of the archive app (Streamlit) on the video_archive group's hosts (reached from the ingress)."
  type        = number
  default     = 8501

  validation {
    condition     = var.archive_app_port >= 1024 && var.archive_app_port <= 65535
    error_message = "archive_app_port must be an unprivileged port (1024-65535)."
  }
}

variable "social_gateway_port" {
  description = "Port of the social gateway API on the social_gateway group (reached from the ingress and the workers)."
  type        = number
  default     = 8710

  validation {
    condition     = var.social_gateway_port >= 1024 && var.social_gateway_port <= 65535
    error_message = "social_gateway_port must be an unprivileged port (1024-65535)."
  }
}
