variable "name_prefix" {
  description = "Prefix of the state bucket name, e.g. \"cdaprod\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment whose state the bucket holds: dev, stage, prod or emulated."
  type        = string

  validation {
    condition     = contains(["dev", "stage", "prod", "emulated"], var.environment)
    error_message = "environment must be one of dev, stage, prod, emulated."
  }
}

variable "bucket_suffix" {
  description = "Suffix that makes the bucket name globally unique (the account ID by default in bootstrap)."
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

variable "kms_key_arn" {
  description = "KMS key ARN that encrypts state objects; null uses SSE-S3 (AES256)."
  type        = string
  default     = null
}

variable "noncurrent_version_expiration_days" {
  description = "Days old state versions are kept (they are the way back from a bad apply)."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 7
    error_message = "noncurrent_version_expiration_days must be at least 7."
  }
}
