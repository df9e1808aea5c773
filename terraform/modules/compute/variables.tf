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
  description = "Tags applied to every resource; must carry Project and Environment (the aws_ec2 inventory filters on them)."
  type        = map(string)

  validation {
    condition     = contains(keys(var.tags), "Project") && contains(keys(var.tags), "Environment")
    error_message = "tags must include Project and Environment (the Ansible aws_ec2 inventory filters on them)."
  }
}

################################################################################
# Hosts
################################################################################

variable "hosts" {
  description = <<-EOT
    Hosts to create, keyed by host kind (hosts are named <name_prefix>-<kind>-<n>). Per kind:
    count (default 1), groups (the Ansible groups every host of the kind belongs to; they
    choose its security groups and IAM grants), instance_type, gpu (true only for g5/g6
    instance types), root_volume_size and data_volume_size in GiB (0 = no data volume), an
    optional ami_name_pattern overriding the default, and an optional autoscale: the kind is
    then an Auto Scaling group of Celery workers (<name_prefix>-worker-<queue>) instead of
    fixed hosts, with queue, min_size, max_size, desired_capacity (default min_size, set at
    creation only), extra_instance_types (launched besides instance_type), spot (as the
    worker_group module's) and termination_heartbeat_timeout (seconds, default 3600); count
    stays unset and data_volume_size 0. Group names are checked by the caller (the platform
    module holds the known list).
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

  validation {
    condition     = alltrue([for k, _ in var.hosts : can(regex("^[a-z][a-z0-9-]{0,19}[a-z0-9]$", k))])
    error_message = "Host kinds must be 2-21 lowercase letters, digits and hyphens, starting with a letter (e.g. worker-gpu): they become host names and IAM role names."
  }

  validation {
    condition     = alltrue([for h in var.hosts : h.count >= 0 && h.count <= 20 && floor(h.count) == h.count])
    error_message = "Each host kind's count must be a whole number between 0 and 20."
  }

  # Instance type rules cover an autoscaled kind's extra_instance_types too.
  validation {
    condition     = alltrue(flatten([for h in var.hosts : [for t in concat([h.instance_type], h.autoscale == null ? [] : h.autoscale.extra_instance_types) : can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.[a-z0-9]+$", t))]]))
    error_message = "Each instance_type and extra_instance_types entry must look like an EC2 instance type (e.g. m6i.large, g5.xlarge): ${join(", ", flatten([for k, h in var.hosts : [for t in concat([h.instance_type], h.autoscale == null ? [] : h.autoscale.extra_instance_types) : "${k} has \"${t}\"" if !can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.[a-z0-9]+$", t))]]))}."
  }

  validation {
    condition     = alltrue(flatten([for h in var.hosts : [for t in concat([h.instance_type], h.autoscale == null ? [] : h.autoscale.extra_instance_types) : !h.gpu || can(regex("^g[56][a-z]*\\.", t))]]))
    error_message = "A GPU host kind (gpu = true) must use g5 or g6 family instance types only (e.g. g5.xlarge, g6.2xlarge): ${join(", ", flatten([for k, h in var.hosts : [for t in concat([h.instance_type], h.autoscale == null ? [] : h.autoscale.extra_instance_types) : "${k} has ${t}" if h.gpu && !can(regex("^g[56][a-z]*\\.", t))]]))}."
  }

  validation {
    condition     = alltrue(flatten([for h in var.hosts : [for t in concat([h.instance_type], h.autoscale == null ? [] : h.autoscale.extra_instance_types) : h.gpu || !can(regex("^(g|p)[0-9]", t))]]))
    error_message = "A CPU host kind (gpu = false) must not use a GPU instance type (g*/p* families); set gpu = true for GPU hosts: ${join(", ", flatten([for k, h in var.hosts : [for t in concat([h.instance_type], h.autoscale == null ? [] : h.autoscale.extra_instance_types) : "${k} has ${t}" if !h.gpu && can(regex("^(g|p)[0-9]", t))]]))}."
  }

  validation {
    condition     = alltrue([for h in var.hosts : h.root_volume_size >= 8 && h.root_volume_size <= 2048 && h.data_volume_size >= 0 && h.data_volume_size <= 16384])
    error_message = "root_volume_size must be 8-2048 GiB and data_volume_size 0-16384 GiB."
  }

  # Autoscaled kinds (autoscale set): the rules worker_group would otherwise report without
  # naming the kind, and what a group's coming and going instances cannot have.
  validation {
    condition     = alltrue([for h in var.hosts : h.data_volume_size == 0 if h.autoscale != null])
    error_message = "An autoscaled host kind has no data volume: its instances come and go, so workers keep their scratch on the root volume. Set data_volume_size = 0 (or leave it out) and size root_volume_size for the scratch instead: ${join(", ", [for k, h in var.hosts : "${k} has data_volume_size = ${h.data_volume_size}" if h.autoscale != null && h.data_volume_size != 0])}."
  }

  validation {
    condition     = alltrue([for h in var.hosts : h.count == 1 if h.autoscale != null])
    error_message = "count is not used by an autoscaled host kind: its size is autoscale.min_size, desired_capacity and max_size. Leave count out of ${join(", ", [for k, h in var.hosts : "${k} (count = ${h.count})" if h.autoscale != null && h.count != 1])}."
  }

  validation {
    condition     = alltrue([for h in var.hosts : can(regex("^[a-z][a-z0-9_]{0,31}$", h.autoscale.queue)) if h.autoscale != null])
    error_message = "autoscale.queue must be a Celery queue name of 1-32 lowercase letters, digits and underscores, starting with a letter (e.g. cpu, gpu): ${join(", ", [for k, h in var.hosts : "${k} has \"${h.autoscale.queue}\"" if(h.autoscale == null ? false : !can(regex("^[a-z][a-z0-9_]{0,31}$", h.autoscale.queue)))])}."
  }

  validation {
    condition     = length(distinct([for h in var.hosts : h.autoscale.queue if h.autoscale != null])) == length([for h in var.hosts : h if h.autoscale != null])
    error_message = "Each autoscaled host kind needs its own queue (the group is named <name_prefix>-worker-<queue>): ${join(", ", [for k, h in var.hosts : "${k} (queue ${h.autoscale.queue})" if h.autoscale != null])}."
  }

  validation {
    condition = alltrue([for h in var.hosts : (
      h.autoscale.min_size >= 0 && floor(h.autoscale.min_size) == h.autoscale.min_size &&
      h.autoscale.max_size >= 1 && floor(h.autoscale.max_size) == h.autoscale.max_size &&
      floor(coalesce(h.autoscale.desired_capacity, h.autoscale.min_size)) == coalesce(h.autoscale.desired_capacity, h.autoscale.min_size) &&
      h.autoscale.min_size <= coalesce(h.autoscale.desired_capacity, h.autoscale.min_size) &&
      coalesce(h.autoscale.desired_capacity, h.autoscale.min_size) <= h.autoscale.max_size
    ) if h.autoscale != null])
    error_message = "An autoscaled host kind needs whole numbers 0 <= min_size <= desired_capacity (default min_size) <= max_size, and max_size >= 1: ${join(", ", [for k, h in var.hosts : "${k} has min_size ${h.autoscale.min_size}, desired_capacity ${coalesce(h.autoscale.desired_capacity, h.autoscale.min_size)}, max_size ${h.autoscale.max_size}" if h.autoscale != null])}."
  }

  validation {
    condition     = alltrue([for h in var.hosts : length(distinct(concat([h.instance_type], h.autoscale.extra_instance_types))) == 1 + length(h.autoscale.extra_instance_types) if h.autoscale != null])
    error_message = "autoscale.extra_instance_types lists the types launched besides instance_type: repeat neither instance_type nor another entry (${join(", ", [for k, h in var.hosts : "${k}: ${h.instance_type} + ${jsonencode(h.autoscale.extra_instance_types)}" if(h.autoscale == null ? false : length(distinct(concat([h.instance_type], h.autoscale.extra_instance_types))) != 1 + length(h.autoscale.extra_instance_types))])})."
  }
}

variable "subnet_ids" {
  description = "Private subnet IDs; the hosts of each kind are spread across them round-robin."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "subnet_ids must contain at least one subnet."
  }
}

variable "security_group_ids" {
  description = "Security group ID per security group key (e.g. the network module's security_group_ids)."
  type        = map(string)
}

variable "group_security_groups" {
  description = "Key in security_group_ids for each group (e.g. worker_cpu = \"airflow_worker\"); a group not listed uses the security group of its own name. A host gets the security groups of all its groups."
  type        = map(string)
  default     = {}
}

variable "termination_protected_groups" {
  description = "Groups whose hosts get EC2 termination protection (disable_api_termination), e.g. the stateful postgres and weaviate; empty for none."
  type        = list(string)
  default     = []
}

################################################################################
# Images
################################################################################

variable "ami_owner" {
  description = "Owner account of the AMIs (136693071363 = the Debian project)."
  type        = string
  default     = "136693071363"

  validation {
    condition     = can(regex("^([0-9]{12}|self|amazon)$", var.ami_owner))
    error_message = "ami_owner must be a 12-digit account ID, \"self\" or \"amazon\"."
  }
}

variable "ami_name_pattern" {
  description = "AMI name filter for every host kind without its own ami_name_pattern (Debian 12, x86_64)."
  type        = string
  default     = "debian-12-amd64-*"
}

################################################################################
# Volumes and access
################################################################################

variable "ebs_kms_key_arn" {
  description = "KMS key ARN for root and data volumes; null uses the account's default EBS key."
  type        = string
  default     = null
}

variable "metadata_hop_limit" {
  description = "IMDSv2 PUT response hop limit (2 lets containers on the host reach the metadata service)."
  type        = number
  default     = 2

  validation {
    condition     = var.metadata_hop_limit >= 1 && var.metadata_hop_limit <= 3
    error_message = "metadata_hop_limit must be 1, 2 or 3."
  }
}

variable "bucket_arns" {
  description = "Bucket ARN per purpose (e.g. the storage module's bucket_arns); bucket_access names these purposes."
  type        = map(string)
  default     = {}
}

variable "bucket_access" {
  description = "S3 access per group: bucket purposes (keys of bucket_arns) the group may read and may write. A host kind gets the union of its groups' grants; groups not listed get no S3 access."
  type = map(object({
    read  = optional(list(string), [])
    write = optional(list(string), [])
  }))
  default = {}
}

variable "data_kms_key_arn" {
  description = "KMS key that encrypts the buckets and queues in bucket_arns/queue_arns; kinds with access may use it. Null when they use SSE-S3 / SQS-managed encryption."
  type        = string
  default     = null
}

variable "queue_arns" {
  description = "SQS queue ARN per name (e.g. ingest); queue_access names these."
  type        = map(string)
  default     = {}
}

variable "queue_access" {
  description = "Queues (keys of queue_arns) each group consumes: receive, delete, change visibility, get attributes and URL. A host kind gets the union of its groups' queues."
  type        = map(list(string))
  default     = {}
}

variable "discovery_groups" {
  description = "Groups whose hosts may list the instances (ec2:DescribeInstances and DescribeAvailabilityZones, which take no resource scope): the monitoring host finds its scrape targets that way."
  type        = list(string)
  default     = []
}

variable "detailed_monitoring" {
  description = "Enable detailed (1-minute) CloudWatch monitoring on every instance."
  type        = bool
  default     = true
}

################################################################################
# Autoscaled workers: what an instance of a worker group reads at boot, and who scales them
################################################################################

variable "worker_bundle_bucket" {
  description = "Name of the bucket holding the worker configuration bundles (e.g. the storage module's bucket_names[\"bundles\"]); written into each worker group's boot configuration. Required when a host kind is autoscaled. Reading it is granted through bucket_access."
  type        = string
  default     = null

  validation {
    condition     = var.worker_bundle_bucket != null || alltrue([for h in var.hosts : h.autoscale == null])
    error_message = "worker_bundle_bucket is required when a host kind is autoscaled (its instances fetch their configuration bundle from it at boot): pass the bundles bucket's name."
  }
}

variable "worker_bundle_manifest_key" {
  description = "Key, in worker_bundle_bucket, of the manifest naming the current worker bundle."
  type        = string
  default     = "worker/current.json"

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()/-]+$", var.worker_bundle_manifest_key)) && length(var.worker_bundle_manifest_key) <= 1024 && !startswith(var.worker_bundle_manifest_key, "/")
    error_message = "worker_bundle_manifest_key must be an S3 object key without a leading slash (e.g. worker/current.json)."
  }
}

variable "secrets_id" {
  description = "ARN of the Secrets Manager secret autoscaled workers read themselves at boot (the platform's, or the workers' share of it: the storage module's worker_secret_arn); their roles get GetSecretValue on it. Required when a host kind is autoscaled."
  type        = string
  default     = null

  validation {
    condition     = var.secrets_id == null ? alltrue([for h in var.hosts : h.autoscale == null]) : can(regex("^arn:aws[a-z-]*:secretsmanager:", var.secrets_id))
    error_message = "secrets_id must be the ARN of the Secrets Manager secret the workers read at boot (arn:aws:secretsmanager:...), and is required when a host kind is autoscaled."
  }
}

variable "scaler_groups" {
  description = "Groups whose hosts run the worker scaler: they may set the desired capacity of the worker groups, describe them and publish metrics under the Cdaprod/Workers namespace. Only used when a host kind is autoscaled."
  type        = list(string)
  default     = ["airflow_master"]
}

variable "worker_groups_for_moto" {
  description = "moto only: leave out of the worker groups what moto 5.2.5 keeps wrongly or not at all (the launch template's own tags, the default instance warm-up), so that a re-plan after apply is clean. Never for AWS."
  type        = bool
  default     = false
}
