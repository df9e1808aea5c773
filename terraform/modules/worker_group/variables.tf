################################################################################
# Naming
################################################################################

variable "name_prefix" {
  description = "Prefix for every resource name, e.g. \"cdaprod-dev\"; the group is named <name_prefix>-worker-<queue>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "queue" {
  description = "The Celery queue this group's workers consume (e.g. cpu, gpu). It names the group and is tagged on every instance as cdaprod:worker_queue, which is how the aws_ec2 inventory finds the workers."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,31}$", var.queue))
    error_message = "queue must be a lowercase identifier of 1-32 characters: lowercase letters, digits and underscores, starting with a letter (e.g. cpu, gpu, gpu_video); got \"${var.queue}\"."
  }
}

variable "tags" {
  description = "Tags applied to every resource and propagated to the instances and their volumes; must carry Project and Environment (the aws_ec2 inventory filters on them)."
  type        = map(string)

  validation {
    condition     = contains(keys(var.tags), "Project") && contains(keys(var.tags), "Environment")
    error_message = "tags must include Project and Environment (the Ansible aws_ec2 inventory filters on them)."
  }

  validation {
    condition     = !contains(keys(var.tags), "Name") && !contains(keys(var.tags), "cdaprod:worker_queue")
    error_message = "tags must not set Name or cdaprod:worker_queue: the module sets both from name_prefix and queue."
  }
}

################################################################################
# Instances
################################################################################

variable "ami_id" {
  description = "AMI ID the workers boot (e.g. the Debian 12 image the compute module chose). The root volume's device name is read from the image."
  type        = string

  validation {
    condition     = can(regex("^ami-([0-9a-f]{8}|[0-9a-f]{17})$", var.ami_id))
    error_message = "ami_id must be an AMI ID like ami-0123456789abcdef0 (\"ami-\" and 8 or 17 hex digits); got \"${var.ami_id}\"."
  }
}

variable "instance_types" {
  description = "Instance types the group may launch, in order of preference (the first is the launch template's own type and the first choice for on-demand capacity). More than one type makes a mixed-instances group."
  type        = list(string)

  validation {
    condition     = length(var.instance_types) >= 1
    error_message = "instance_types must list at least one instance type (e.g. [\"c6i.xlarge\"])."
  }

  validation {
    condition     = alltrue([for t in var.instance_types : can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.[a-z0-9]+$", t))])
    error_message = "Each entry of instance_types must look like an EC2 instance type (e.g. c6i.xlarge, g5.xlarge): ${join(", ", [for t in var.instance_types : t if !can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.[a-z0-9]+$", t))])}."
  }

  validation {
    condition     = length(distinct(var.instance_types)) == length(var.instance_types) && length(var.instance_types) <= 20
    error_message = "instance_types must not repeat a type and may list at most 20 types."
  }
}

variable "instance_profile_name" {
  description = "IAM instance profile the workers run with (the same role as the queue's fixed workers, e.g. the compute module's instance_profile_names[\"worker-cpu\"]); created by the caller."
  type        = string

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,128}$", var.instance_profile_name))
    error_message = "instance_profile_name must be an IAM instance profile name (1-128 characters of letters, digits and +=,.@_-), not an ARN."
  }
}

variable "security_group_ids" {
  description = "Security group IDs of the workers (e.g. the network module's airflow_worker group)."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) >= 1 && alltrue([for id in var.security_group_ids : startswith(id, "sg-")])
    error_message = "security_group_ids must list at least one security group ID (sg-...)."
  }
}

variable "user_data" {
  description = "Cloud-init user data as plain text (the module base64-encodes it); null for none. At most 16384 characters."
  type        = string
  default     = null

  validation {
    condition     = try(length(var.user_data), 0) <= 16384
    error_message = "user_data must be at most 16384 characters (the EC2 limit before base64); move the bulk into a script the user data fetches."
  }
}

variable "root_volume_size" {
  description = "Root volume size in GiB (encrypted gp3)."
  type        = number
  default     = 30

  validation {
    condition     = var.root_volume_size >= 8 && var.root_volume_size <= 2048 && floor(var.root_volume_size) == var.root_volume_size
    error_message = "root_volume_size must be a whole number of GiB between 8 and 2048."
  }
}

variable "ebs_kms_key_arn" {
  description = "KMS key ARN for the root volumes; null uses the account's default EBS key."
  type        = string
  default     = null

  validation {
    condition     = var.ebs_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.ebs_kms_key_arn))
    error_message = "ebs_kms_key_arn must be a KMS key ARN (arn:aws:kms:...) or null."
  }
}

variable "metadata_hop_limit" {
  description = "IMDSv2 PUT response hop limit: 1 keeps the metadata service to the host itself; 2 lets containers on the host reach it."
  type        = number
  default     = 1

  validation {
    condition     = contains([1, 2, 3], var.metadata_hop_limit)
    error_message = "metadata_hop_limit must be 1, 2 or 3."
  }
}

################################################################################
# Capacity
################################################################################

variable "subnet_ids" {
  description = "Private subnet IDs the group launches into (one per AZ spreads the workers)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "subnet_ids must contain at least one subnet."
  }
}

variable "min_size" {
  description = "Fewest workers the group keeps. 0 is allowed (e.g. a GPU group that runs only while its queue has work)."
  type        = number

  validation {
    condition     = var.min_size >= 0 && floor(var.min_size) == var.min_size
    error_message = "min_size must be a whole number of 0 or more."
  }

  validation {
    condition     = var.min_size <= var.desired_capacity
    error_message = "min_size (${var.min_size}) must not exceed desired_capacity (${var.desired_capacity}): lower min_size or raise desired_capacity."
  }
}

variable "desired_capacity" {
  description = "Workers at creation, between min_size and max_size. Afterwards the scaler owns it: Terraform ignores later changes."
  type        = number

  validation {
    condition     = floor(var.desired_capacity) == var.desired_capacity
    error_message = "desired_capacity must be a whole number."
  }

  validation {
    condition     = var.desired_capacity <= var.max_size
    error_message = "desired_capacity (${var.desired_capacity}) must not exceed max_size (${var.max_size}): lower desired_capacity or raise max_size."
  }
}

variable "max_size" {
  description = "Most workers the group may run; at least 1."
  type        = number

  validation {
    condition     = var.max_size >= 1 && floor(var.max_size) == var.max_size
    error_message = "max_size must be a whole number of 1 or more (a group that may never run a worker is no group; use min_size = 0 to let it empty)."
  }
}

variable "spot" {
  description = <<-EOT
    Spot purchasing; null (the default) runs on-demand instances only. When set, the group
    runs on_demand_base instances on demand (default 0), and above that base
    on_demand_above_base_percent percent on demand (default 0 = all spot), the spot share
    chosen price-capacity-optimized across instance_types.
  EOT
  type = object({
    on_demand_base               = optional(number, 0)
    on_demand_above_base_percent = optional(number, 0)
  })
  default = null

  validation {
    condition     = var.spot == null ? true : var.spot.on_demand_base >= 0 && floor(var.spot.on_demand_base) == var.spot.on_demand_base && var.spot.on_demand_base <= var.max_size
    error_message = "spot.on_demand_base must be a whole number between 0 and max_size (${var.max_size}): lower it or raise max_size."
  }

  validation {
    condition     = var.spot == null ? true : var.spot.on_demand_above_base_percent >= 0 && var.spot.on_demand_above_base_percent <= 100 && floor(var.spot.on_demand_above_base_percent) == var.spot.on_demand_above_base_percent
    error_message = "spot.on_demand_above_base_percent must be a whole percentage from 0 (all spot above the base) to 100 (all on demand)."
  }
}

variable "capacity_rebalance" {
  description = "Launch a replacement when AWS signals that a spot instance is at elevated risk of interruption, before it is reclaimed."
  type        = bool
  default     = true
}

variable "health_check_grace_period" {
  description = "Seconds after launch before EC2 health checks count (boot and provisioning time)."
  type        = number
  default     = 300

  validation {
    condition     = var.health_check_grace_period >= 0 && var.health_check_grace_period <= 7200 && floor(var.health_check_grace_period) == var.health_check_grace_period
    error_message = "health_check_grace_period must be a whole number of seconds between 0 and 7200."
  }
}

variable "default_instance_warmup" {
  description = "Seconds a new instance needs before its metrics count toward scaling (and before an instance refresh moves on); null leaves it unset (only for moto, which does not keep it)."
  type        = number
  default     = 300

  validation {
    condition     = var.default_instance_warmup == null ? true : var.default_instance_warmup >= 0 && var.default_instance_warmup <= 3600 && floor(var.default_instance_warmup) == var.default_instance_warmup
    error_message = "default_instance_warmup must be a whole number of seconds between 0 and 3600 (or null)."
  }
}

variable "tag_launch_template" {
  description = "Tag the launch template itself with tags. Off only for moto, which copies those tags into the template's data, where they show as a change on every plan; the instances and volumes are tagged either way."
  type        = bool
  default     = true
}

variable "termination_heartbeat_timeout" {
  description = "Seconds a terminating worker is held in Terminating:Wait to finish its running tasks before termination continues anyway."
  type        = number
  default     = 3600

  validation {
    condition     = var.termination_heartbeat_timeout >= 30 && var.termination_heartbeat_timeout <= 7200 && floor(var.termination_heartbeat_timeout) == var.termination_heartbeat_timeout
    error_message = "termination_heartbeat_timeout must be a whole number of seconds between 30 and 7200 (raise it to the longest task a worker may have to finish, up to 2 hours)."
  }
}
