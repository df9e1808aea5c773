################################################################################
# CloudWatch alarms for what the platform's Prometheus cannot see: an instance's EC2 status
# checks (the hardware and hypervisor below the host), the load balancer in front of the
# ingress, and the monitoring host itself. Every alarm notifies one encrypted SNS topic, on
# alarm and on recovery.
################################################################################

locals {
  # Alarm names carry the prefix; CloudWatch allows 255 characters.
  status_alarm_names = { for host, _ in var.instance_ids : host => "${host}-status-check" }
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name_prefix}-alarms"
  kms_master_key_id = var.kms_key_arn

  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.email_addresses)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.key
}

# System or instance status check failed for 2 minutes in a row. A monitoring host that
# reports nothing is as bad as one that fails: its missing data counts as failing.
resource "aws_cloudwatch_metric_alarm" "status_check" {
  for_each = var.instance_ids

  alarm_name          = local.status_alarm_names[each.key]
  alarm_description   = "${each.key}: EC2 status check failed (system or instance)${contains(var.watcher_hosts, each.key) ? "; this host runs the platform's monitoring, so silence alarms too" : ""}."
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed"
  dimensions          = { InstanceId = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = contains(var.watcher_hosts, each.key) ? "breaching" : "missing"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  tags = merge(var.tags, { Host = each.key })

  lifecycle {
    precondition {
      condition     = alltrue([for h in var.watcher_hosts : contains(keys(var.instance_ids), h)])
      error_message = "watcher_hosts names hosts that are not in instance_ids: ${join(", ", setsubtract(var.watcher_hosts, keys(var.instance_ids)))}."
    }
  }
}

# 5xx answers: "elb" made by the load balancer itself (no healthy ingress, a bad gateway),
# "target" passed through from the ingress and the services behind it.
resource "aws_cloudwatch_metric_alarm" "load_balancer_5xx" {
  for_each = {
    elb    = "HTTPCode_ELB_5XX_Count"
    target = "HTTPCode_Target_5XX_Count"
  }

  alarm_name          = "${var.name_prefix}-lb-${each.key}-5xx"
  alarm_description   = "More than ${var.load_balancer_5xx_threshold} ${each.key == "elb" ? "5xx answers from the load balancer itself" : "5xx answers from the ingress"} in 5 minutes."
  namespace           = "AWS/ApplicationELB"
  metric_name         = each.value
  dimensions          = { LoadBalancer = var.load_balancer_arn_suffix }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.load_balancer_5xx_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  tags = var.tags
}

# An ingress host the load balancer takes out of service (its /healthz check fails).
resource "aws_cloudwatch_metric_alarm" "unhealthy_ingress" {
  alarm_name        = "${var.name_prefix}-lb-unhealthy-ingress"
  alarm_description = "An ingress host failed the load balancer's health check for 5 minutes."
  namespace         = "AWS/ApplicationELB"
  metric_name       = "UnHealthyHostCount"
  dimensions = {
    LoadBalancer = var.load_balancer_arn_suffix
    TargetGroup  = var.target_group_arn_suffix
  }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  tags = var.tags
}
