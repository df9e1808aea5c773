################################################################################
# Naming
################################################################################

variable "name_prefix" {
  description = "Prefix for every bucket and queue name, e.g. \"cdaprod-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "bucket_suffix" {
  description = "Suffix that makes bucket names globally unique (e.g. the account ID); empty for none."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[a-z0-9-]{0,20}$", var.bucket_suffix))
    error_message = "bucket_suffix must be at most 20 lowercase letters, digits or hyphens."
  }
}

variable "tags" {
  description = "Tags applied to every resource (Project, Environment, ...)."
  type        = map(string)
  default     = {}
}

################################################################################
# Encryption
################################################################################

variable "create_kms_key" {
  description = "Create a customer-managed KMS key (rotation on) for the data buckets and the queue. When false and kms_key_arn is null, SSE-S3 (AES256) is used."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "ARN of an existing KMS key for the data buckets and queue; overrides create_kms_key."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

################################################################################
# Lifecycle
################################################################################

variable "raw_transition_days" {
  description = "Days after which raw originals move to STANDARD_IA (never deleted)."
  type        = number
  default     = 90

  validation {
    condition     = var.raw_transition_days >= 30
    error_message = "raw_transition_days must be at least 30 (the STANDARD_IA minimum)."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted object version is kept before it expires."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "log_expiration_days" {
  description = "Days access and flow logs are kept in the logs bucket."
  type        = number
  default     = 365

  validation {
    condition     = var.log_expiration_days >= 1
    error_message = "log_expiration_days must be at least 1."
  }
}

variable "deny_insecure_transport" {
  description = "Bucket policies deny every request made without TLS. Off only where the S3 endpoint cannot evaluate the condition (moto)."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Allow destroying buckets that still hold objects (emulated and throw-away environments only)."
  type        = bool
  default     = false
}

################################################################################
# Ingest trigger
################################################################################

variable "raw_notification_prefix" {
  description = "Only new raw objects under this key prefix are announced on the ingest queue (empty for all)."
  type        = string
  default     = ""
}

variable "queue_message_retention_seconds" {
  description = "How long an ingest message waits in the queue, in seconds."
  type        = number
  default     = 345600

  validation {
    condition     = var.queue_message_retention_seconds >= 60 && var.queue_message_retention_seconds <= 1209600
    error_message = "queue_message_retention_seconds must be between 60 and 1209600."
  }
}

variable "max_receive_count" {
  description = "Receives after which an ingest message that was never deleted moves to the dead-letter queue."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number between 1 and 1000."
  }
}

################################################################################
# Ansible over SSM: file transfer bucket
################################################################################

variable "transfer_expiration_days" {
  description = "Days after which objects in the SSM transfer bucket expire (Ansible deletes its own at the end of a run; this catches interrupted runs)."
  type        = number
  default     = 1

  validation {
    condition     = var.transfer_expiration_days >= 1 && var.transfer_expiration_days <= 7
    error_message = "transfer_expiration_days must be 1-7: the bucket may briefly hold module arguments, secrets included."
  }
}

################################################################################
# Secret store
################################################################################

variable "secret_recovery_window_days" {
  description = "Days a deleted platform secret can be restored (0 deletes at once, for throw-away environments; else 7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or between 7 and 30 (the Secrets Manager limits)."
  }
}
