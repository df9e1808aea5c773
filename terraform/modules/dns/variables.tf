################################################################################
# Naming
################################################################################

variable "name_prefix" {
  description = "Prefix for every resource name, e.g. \"cdaprod-dev\" (load balancer names are cut to 32 characters)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,26}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-28 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags applied to every resource (Project, Environment, ...)."
  type        = map(string)
  default     = {}
}

################################################################################
# Zone and names
################################################################################

variable "domain_name" {
  description = "DNS zone the services live under, e.g. \"cdaprod.dev\" or \"dev.cdaprod.dev\"."
  type        = string

  validation {
    condition     = length(var.domain_name) <= 253 && can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lowercase fully qualified domain name such as cdaprod.dev (no scheme, no trailing dot)."
  }
}

variable "create_zone" {
  description = "Create the Route53 public zone for domain_name; false looks up an existing zone of that name."
  type        = bool
  default     = true
}

variable "subdomains" {
  description = "Host names under domain_name routed by the load balancer (host rules), e.g. archive, airflow, api."
  type        = list(string)
  default     = ["archive", "airflow", "api"]

  validation {
    condition     = length(var.subdomains) >= 1 && length(var.subdomains) <= 10 && alltrue([for s in var.subdomains : can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", s))])
    error_message = "subdomains must be 1-10 DNS labels (lowercase letters, digits, hyphens)."
  }
}

################################################################################
# Load balancer
################################################################################

variable "vpc_id" {
  description = "VPC of the load balancer and its target group."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets (at least two AZs) for the internet-facing load balancer."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "public_subnet_ids must list at least two subnets in different AZs."
  }
}

variable "security_group_id" {
  description = "Security group of the load balancer (443 from the internet, 443 out to the ingress hosts)."
  type        = string
}

variable "target_instance_ids" {
  description = "Ingress hosts (nginx with TLS on 443) behind the load balancer, keyed by a stable name."
  type        = map(string)
  default     = {}
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener; TLS 1.2 or newer only."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition = contains([
      "ELBSecurityPolicy-TLS13-1-2-2021-06",
      "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
      "ELBSecurityPolicy-TLS13-1-3-2021-06",
      "ELBSecurityPolicy-TLS-1-2-2017-01",
      "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
      "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    ], var.ssl_policy)
    error_message = "ssl_policy must be one of the TLS 1.2+ ELB security policies."
  }
}

variable "access_logs_bucket" {
  description = "Bucket name for load balancer access logs (written under alb/)."
  type        = string
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion (true for long-lived environments)."
  type        = bool
  default     = true
}

variable "wait_for_certificate" {
  description = "Wait until ACM has validated the certificate before creating the HTTPS listener."
  type        = bool
  default     = true
}
