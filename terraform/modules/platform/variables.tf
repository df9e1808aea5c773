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

variable "hosts" {
  description = <<-EOT
    Hosts keyed by host kind (names <project>-<environment>-<kind>-<n>), each with the groups
    its hosts belong to, as in ansible/inventories/local/topology.yml: count (default 1),
    groups (non-empty, from local.known_groups in main.tf; an unknown group is refused with
    the known list), instance_type, gpu, root_volume_size, data_volume_size (GiB, 0 = none),
    ami_name_pattern, and autoscale for worker kinds (an Auto Scaling group per Celery queue;
    see the compute module). A host gets the security groups and the IAM grants of all its
    groups. Exactly one airflow_master host and one postgres host; worker_cpu/worker_gpu hosts
    are also airflow_worker; an autoscaled kind holds airflow_worker and the worker group of
    its queue (worker_cpu for cpu, worker_gpu for gpu) and nothing else.
  EOT
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
  nullable = false
  default = {
    postgres   = { groups = ["postgres"], instance_type = "m6i.large", data_volume_size = 100 }
    weaviate   = { groups = ["weaviate"], instance_type = "r6i.large", data_volume_size = 100 }
    master     = { groups = ["airflow_master"], instance_type = "m6i.large" }
    worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", root_volume_size = 200, autoscale = { queue = "cpu", min_size = 1, desired_capacity = 2, max_size = 4 } }
    worker-gpu = { groups = ["airflow_worker", "worker_gpu"], instance_type = "g5.xlarge", gpu = true, root_volume_size = 200, autoscale = { queue = "gpu", min_size = 0, max_size = 2 } }
    archive    = { groups = ["video_archive", "archive_app"], instance_type = "t3.large" }
    social     = { groups = ["social_gateway"], instance_type = "t3.medium" }
    ingress    = { groups = ["ingress"], instance_type = "t3.medium" }
    monitoring = { groups = ["monitoring"], instance_type = "t3.medium" }
  }

  # Each rule names what is wrong and what to write instead; the checks that only concern the
  # shape of one host kind (instance types, sizes, gpu) live in the compute module.
  validation {
    condition     = alltrue([for h in var.hosts : length(h.groups) > 0])
    error_message = "Every host kind needs at least one group: ${join(", ", [for k, h in var.hosts : k if length(h.groups) == 0])} has none (e.g. groups = [\"ingress\"]; known groups: ${join(", ", local.known_groups)})."
  }

  validation {
    condition     = length(flatten([for h in var.hosts : [for g in h.groups : g if contains(keys(local.local_only_groups), g)]])) == 0
    error_message = "${join("; ", distinct(flatten([for k, h in var.hosts : [for g in h.groups : "${g} (host kind ${k}) is local-only: ${local.local_only_groups[g]}" if contains(keys(local.local_only_groups), g)]])))}. Remove it from the hosts of a cloud environment."
  }

  validation {
    condition     = length(flatten([for h in var.hosts : [for g in h.groups : g if !contains(local.known_groups, g) && !contains(keys(local.local_only_groups), g)]])) == 0
    error_message = "Unknown group(s): ${join(", ", distinct(flatten([for k, h in var.hosts : [for g in h.groups : "${g} (host kind ${k})" if !contains(local.known_groups, g) && !contains(keys(local.local_only_groups), g)]])))}. The cloud groups are: ${join(", ", local.known_groups)}."
  }

  validation {
    condition     = alltrue([for h in var.hosts : contains(h.groups, "airflow_worker") if contains(h.groups, "worker_cpu") || contains(h.groups, "worker_gpu")])
    error_message = "worker_cpu and worker_gpu hosts are Celery workers, configured through the airflow_worker group: add \"airflow_worker\" to ${join(", ", [for k, h in var.hosts : "${k} (groups = ${jsonencode(concat(["airflow_worker"], h.groups))})" if(contains(h.groups, "worker_cpu") || contains(h.groups, "worker_gpu")) && !contains(h.groups, "airflow_worker")])}."
  }

  validation {
    condition = alltrue([for h in var.hosts : (
      contains(h.groups, "airflow_worker") &&
      contains(h.groups, "worker_cpu") == (h.autoscale.queue == "cpu") &&
      contains(h.groups, "worker_gpu") == (h.autoscale.queue == "gpu") &&
      contains(["cpu", "gpu"], h.autoscale.queue)
    ) if h.autoscale != null])
    error_message = "An autoscaled host kind is the Celery workers of its queue: its groups include airflow_worker and exactly one of worker_cpu (queue cpu) or worker_gpu (queue gpu), the one matching autoscale.queue. Fix ${join(", ", [for k, h in var.hosts : "${k} (queue ${h.autoscale.queue}, groups ${jsonencode(h.groups)}${contains(["cpu", "gpu"], h.autoscale.queue) ? ": write groups = [\"airflow_worker\", \"worker_${h.autoscale.queue}\"]" : ": the cloud queues are cpu and gpu"})" if(h.autoscale == null ? false : !(contains(h.groups, "airflow_worker") && contains(h.groups, "worker_cpu") == (h.autoscale.queue == "cpu") && contains(h.groups, "worker_gpu") == (h.autoscale.queue == "gpu") && contains(["cpu", "gpu"], h.autoscale.queue)))])}."
  }

  validation {
    condition     = alltrue([for h in var.hosts : length(setsubtract(h.groups, ["airflow_worker", "worker_cpu", "worker_gpu"])) == 0 if h.autoscale != null])
    error_message = "An autoscaled host kind runs Celery workers only; the other groups need fixed hosts (a stable address, a data volume, a load balancer target): move ${join(", ", [for k, h in var.hosts : "${join(", ", setsubtract(h.groups, ["airflow_worker", "worker_cpu", "worker_gpu"]))} (host kind ${k})" if(h.autoscale == null ? false : length(setsubtract(h.groups, ["airflow_worker", "worker_cpu", "worker_gpu"])) > 0)])} to a host kind without autoscale."
  }

  validation {
    condition     = sum(concat([0], [for h in values(var.hosts) : h.count if contains(h.groups, "airflow_master")])) == 1
    error_message = "Exactly one airflow_master host is needed (the scheduler and the Celery broker run once); found ${sum(concat([0], [for h in values(var.hosts) : h.count if contains(h.groups, "airflow_master")]))}${length([for k, h in var.hosts : k if contains(h.groups, "airflow_master") && h.count > 0]) > 0 ? " in host kind(s) ${join(", ", [for k, h in var.hosts : "${k} (count ${h.count})" if contains(h.groups, "airflow_master") && h.count > 0])}" : ""}: list airflow_master in the groups of one host kind with count = 1."
  }

  validation {
    condition     = sum(concat([0], [for h in values(var.hosts) : h.count if contains(h.groups, "postgres")])) == 1
    error_message = "Exactly one postgres host is needed (one database server, no replication); found ${sum(concat([0], [for h in values(var.hosts) : h.count if contains(h.groups, "postgres")]))}${length([for k, h in var.hosts : k if contains(h.groups, "postgres") && h.count > 0]) > 0 ? " in host kind(s) ${join(", ", [for k, h in var.hosts : "${k} (count ${h.count})" if contains(h.groups, "postgres") && h.count > 0])}" : ""}: list postgres in the groups of one host kind with count = 1."
  }
}

variable "termination_protection" {
  description = "EC2 termination protection on the hosts whose groups hold data (postgres, weaviate); off only in throw-away environments."
  type        = bool
  default     = true
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
  description = "Encrypt the buckets (logs aside), the queues and the secret with a customer-managed KMS key."
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
  description = "Service names under domain_name on the public load balancer (the airflow name is added only by public_airflow_ui)."
  type        = list(string)
  default     = ["archive", "api", "app"]

  validation {
    condition     = !contains(var.subdomains, "airflow")
    error_message = "Leave \"airflow\" out of subdomains: the Airflow UI is published only with public_airflow_ui = true."
  }
}

variable "public_airflow_ui" {
  description = "Publish the Airflow UI on the public load balancer (the airflow name, its host rule and certificate name); off by default, operators then reach it privately (SSM port forwarding)."
  type        = bool
  default     = false
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

variable "alarm_email_addresses" {
  description = "Who gets the CloudWatch alarms (status checks, load balancer 5xx, the monitoring host) by e-mail; each confirms once. Prometheus's alerts go to platform_alert_email_to in the inventory."
  type        = list(string)
  default     = []
}
