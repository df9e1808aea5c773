variable "name_prefix" {
  description = "Prefix for every resource name, e.g. \"cdaprod-dev\"."
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

variable "instance_ids" {
  description = "Instance ID per host name: each gets an alarm on its EC2 status checks. Keys must be known at plan time."
  type        = map(string)
}

variable "watcher_hosts" {
  description = "Host names (keys of instance_ids) that run the platform's own monitoring. Nothing else watches them, so their status alarm also fires when the host reports nothing at all (stopped, terminated)."
  type        = set(string)
  default     = []

  validation {
    condition     = alltrue([for h in var.watcher_hosts : can(regex("^[a-z0-9][a-z0-9_-]*$", h))])
    error_message = "watcher_hosts must be host names such as cdaprod-dev-monitoring-1."
  }
}

variable "load_balancer_arn_suffix" {
  description = "The load balancer's ARN suffix (app/NAME/ID), the LoadBalancer dimension of its CloudWatch metrics."
  type        = string

  validation {
    condition     = can(regex("^app/[A-Za-z0-9-]+/[0-9a-f]+$", var.load_balancer_arn_suffix))
    error_message = "load_balancer_arn_suffix must look like app/NAME/ID (aws_lb's arn_suffix)."
  }
}

variable "target_group_arn_suffix" {
  description = "The ingress target group's ARN suffix (targetgroup/NAME/ID), for its unhealthy-host alarm."
  type        = string

  validation {
    condition     = can(regex("^targetgroup/[A-Za-z0-9-]+/[0-9a-f]+$", var.target_group_arn_suffix))
    error_message = "target_group_arn_suffix must look like targetgroup/NAME/ID (aws_lb_target_group's arn_suffix)."
  }
}

variable "load_balancer_5xx_threshold" {
  description = "5xx answers in 5 minutes, from the load balancer itself or from the ingress behind it, above which an alarm fires."
  type        = number
  default     = 10

  validation {
    condition     = var.load_balancer_5xx_threshold >= 1 && floor(var.load_balancer_5xx_threshold) == var.load_balancer_5xx_threshold
    error_message = "load_balancer_5xx_threshold must be a whole number of at least 1."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the alarm topic. Its policy must let cloudwatch.amazonaws.com use it: CloudWatch cannot publish to a topic under SNS's AWS-managed key."
  type        = string

  validation {
    condition     = var.kms_key_arn != null && can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a customer-managed KMS key ARN (keep create_kms_key = true): CloudWatch cannot publish alarms to a topic under SNS's AWS-managed key."
  }
}

variable "email_addresses" {
  description = "Who gets the alarms by e-mail. Each address must confirm its subscription once (AWS sends the link); none means the topic only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,63}$", a))])
    error_message = "email_addresses must be e-mail addresses such as ops@cdaprod.dev."
  }
}
