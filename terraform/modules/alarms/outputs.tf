output "topic_arn" {
  description = "ARN of the SNS topic every alarm notifies (subscribe more receivers here)."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Every alarm's name: status checks per host, then the load balancer's."
  value = concat(
    [for host in sort(keys(var.instance_ids)) : local.status_alarm_names[host]],
    [for k in sort(keys(aws_cloudwatch_metric_alarm.load_balancer_5xx)) : aws_cloudwatch_metric_alarm.load_balancer_5xx[k].alarm_name],
    [aws_cloudwatch_metric_alarm.unhealthy_ingress.alarm_name],
  )
}

output "status_alarms" {
  description = "Per host: its status-check alarm's name and how it treats missing data (breaching for the watcher hosts)."
  value = { for host, a in aws_cloudwatch_metric_alarm.status_check : host => {
    name               = a.alarm_name
    treat_missing_data = a.treat_missing_data
  } }
}
