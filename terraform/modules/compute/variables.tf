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
  description = "Tags applied to every resource; must carry Project and Environment (the inventory reads them with Role)."
  type        = map(string)

  validation {
    condition     = contains(keys(var.tags), "Project") && contains(keys(var.tags), "Environment")
    error_message = "tags must include Project and Environment (the Ansible inventory keys on Role, Environment and Project)."
  }
}

################################################################################
# Host groups
################################################################################

variable "groups" {
  description = <<-EOT
    Host groups to create, keyed by group name (becomes the Role tag). Per group:
    count, instance_type, gpu (true only for g5/g6 instance types), root_volume_size and
    data_volume_size in GiB (0 = no data volume), security_group (key into
    security_group_ids) and an optional ami_name_pattern overriding the default.
  EOT
  type = map(object({
    count            = number
    instance_type    = string
    gpu              = optional(bool, false)
    root_volume_size = optional(number, 30)
    data_volume_size = optional(number, 0)
    security_group   = string
    ami_name_pattern = optional(string)
  }))

  validation {
    condition     = alltrue([for k, _ in var.groups : can(regex("^[a-z][a-z0-9_]{0,30}$", k))])
    error_message = "Group names must be lowercase letters, digits and underscores, starting with a letter."
  }

  validation {
    condition     = alltrue([for g in var.groups : g.count >= 0 && g.count <= 20 && floor(g.count) == g.count])
    error_message = "Each group's count must be a whole number between 0 and 20."
  }

  validation {
    condition     = alltrue([for g in var.groups : can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.[a-z0-9]+$", g.instance_type))])
    error_message = "Each instance_type must look like an EC2 instance type (e.g. m6i.large, g5.xlarge)."
  }

  validation {
    condition     = alltrue([for g in var.groups : !g.gpu || can(regex("^g[56][a-z]*\\.", g.instance_type))])
    error_message = "A GPU group (gpu = true) must use a g5 or g6 family instance type (e.g. g5.xlarge, g6.2xlarge)."
  }

  validation {
    condition     = alltrue([for g in var.groups : g.gpu || !can(regex("^(g|p)[0-9]", g.instance_type))])
    error_message = "A CPU group (gpu = false) must not use a GPU instance type (g*/p* families); set gpu = true for GPU hosts."
  }

  validation {
    condition     = alltrue([for g in var.groups : g.root_volume_size >= 8 && g.root_volume_size <= 2048 && g.data_volume_size >= 0 && g.data_volume_size <= 16384])
    error_message = "root_volume_size must be 8-2048 GiB and data_volume_size 0-16384 GiB."
  }
}

variable "subnet_ids" {
  description = "Private subnet IDs; instances of each group are spread across them round-robin."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "subnet_ids must contain at least one subnet."
  }
}

variable "security_group_ids" {
  description = "Security group ID per security_group key used in groups (e.g. the network module's security_group_ids)."
  type        = map(string)
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
  description = "AMI name filter for every group without its own ami_name_pattern (Debian 12, x86_64)."
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

variable "bucket_access" {
  description = "S3 access per group: bucket ARNs the group may read and bucket ARNs it may write. Groups not listed get no S3 access."
  type = map(object({
    read  = optional(list(string), [])
    write = optional(list(string), [])
  }))
  default = {}

  validation {
    condition     = alltrue(flatten([for a in var.bucket_access : [for arn in concat(a.read, a.write) : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]{3,63}$", arn))]]))
    error_message = "bucket_access lists must hold S3 bucket ARNs (arn:aws:s3:::bucket)."
  }
}

variable "data_kms_key_arn" {
  description = "KMS key that encrypts the buckets in bucket_access; groups with bucket access may use it. Null when buckets use SSE-S3."
  type        = string
  default     = null
}

variable "queue_access" {
  description = "SQS queue ARNs each group consumes (receive, delete, change visibility), e.g. the ingest queue for Airflow hosts."
  type        = map(list(string))
  default     = {}

  validation {
    condition     = alltrue(flatten([for arns in var.queue_access : [for arn in arns : can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:.+$", arn))]]))
    error_message = "queue_access lists must hold SQS queue ARNs."
  }
}

variable "detailed_monitoring" {
  description = "Enable detailed (1-minute) CloudWatch monitoring on every instance."
  type        = bool
  default     = true
}
