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
    instance types), root_volume_size and data_volume_size in GiB (0 = no data volume) and an
    optional ami_name_pattern overriding the default. Group names are checked by the caller
    (the platform module holds the known list).
  EOT
  type = map(object({
    count            = optional(number, 1)
    groups           = list(string)
    instance_type    = string
    gpu              = optional(bool, false)
    root_volume_size = optional(number, 30)
    data_volume_size = optional(number, 0)
    ami_name_pattern = optional(string)
  }))

  validation {
    condition     = alltrue([for k, _ in var.hosts : can(regex("^[a-z][a-z0-9-]{0,19}[a-z0-9]$", k))])
    error_message = "Host kinds must be 2-21 lowercase letters, digits and hyphens, starting with a letter (e.g. worker-gpu): they become host names and IAM role names."
  }

  validation {
    condition     = alltrue([for h in var.hosts : h.count >= 0 && h.count <= 20 && floor(h.count) == h.count])
    error_message = "Each host kind's count must be a whole number between 0 and 20."
  }

  validation {
    condition     = alltrue([for h in var.hosts : can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.[a-z0-9]+$", h.instance_type))])
    error_message = "Each instance_type must look like an EC2 instance type (e.g. m6i.large, g5.xlarge)."
  }

  validation {
    condition     = alltrue([for h in var.hosts : !h.gpu || can(regex("^g[56][a-z]*\\.", h.instance_type))])
    error_message = "A GPU host kind (gpu = true) must use a g5 or g6 family instance type (e.g. g5.xlarge, g6.2xlarge): ${join(", ", [for k, h in var.hosts : "${k} has ${h.instance_type}" if h.gpu && !can(regex("^g[56][a-z]*\\.", h.instance_type))])}."
  }

  validation {
    condition     = alltrue([for h in var.hosts : h.gpu || !can(regex("^(g|p)[0-9]", h.instance_type))])
    error_message = "A CPU host kind (gpu = false) must not use a GPU instance type (g*/p* families); set gpu = true for GPU hosts: ${join(", ", [for k, h in var.hosts : "${k} has ${h.instance_type}" if !h.gpu && can(regex("^(g|p)[0-9]", h.instance_type))])}."
  }

  validation {
    condition     = alltrue([for h in var.hosts : h.root_volume_size >= 8 && h.root_volume_size <= 2048 && h.data_volume_size >= 0 && h.data_volume_size <= 16384])
    error_message = "root_volume_size must be 8-2048 GiB and data_volume_size 0-16384 GiB."
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
