# Offline: every AWS call is answered by the mock provider.
mock_provider "aws" {
  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:us-east-1:123456789012:cdaprod-test-alarms"
    }
  }
}

variables {
  name_prefix = "cdaprod-test"
  tags        = { Project = "cdaprod", Environment = "dev" }
  instance_ids = {
    "cdaprod-test-monitoring-1" = "i-0000000000000000a"
    "cdaprod-test-worker_cpu-1" = "i-0000000000000000b"
  }
  watcher_hosts            = ["cdaprod-test-monitoring-1"]
  load_balancer_arn_suffix = "app/cdaprod-test-web/1234567890abcdef"
  target_group_arn_suffix  = "targetgroup/cdaprod-test-ingress/1234567890abcdef"
  kms_key_arn              = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  email_addresses          = ["ops@cdaprod.dev"]
}

run "every_host_has_a_status_alarm_and_the_watcher_alarms_on_silence" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.status_check) == 2
    error_message = "every host needs a status-check alarm"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.status_check["cdaprod-test-worker_cpu-1"].dimensions.InstanceId == "i-0000000000000000b"
    error_message = "a host's alarm must watch that host's instance"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.status_check["cdaprod-test-monitoring-1"].treat_missing_data == "breaching"
    error_message = "nothing else watches the monitoring host: its silence must alarm"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.status_check["cdaprod-test-worker_cpu-1"].treat_missing_data == "missing"
    error_message = "other hosts' silence is Prometheus's HostDown, not a second page"
  }
}

run "the_load_balancer_alarms_on_5xx_and_unhealthy_ingress" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.load_balancer_5xx["elb"].metric_name == "HTTPCode_ELB_5XX_Count" && aws_cloudwatch_metric_alarm.load_balancer_5xx["target"].metric_name == "HTTPCode_Target_5XX_Count"
    error_message = "both the load balancer's own 5xx and the ingress's need an alarm"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.load_balancer_5xx["elb"].dimensions.LoadBalancer == "app/cdaprod-test-web/1234567890abcdef"
    error_message = "the 5xx alarms must watch the platform's load balancer"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.unhealthy_ingress.dimensions.TargetGroup == "targetgroup/cdaprod-test-ingress/1234567890abcdef"
    error_message = "the unhealthy-host alarm must watch the ingress target group"
  }
}

run "every_alarm_notifies_the_encrypted_topic_on_alarm_and_recovery" {
  assert {
    condition = alltrue(concat(
      [for a in values(aws_cloudwatch_metric_alarm.status_check) : a.alarm_actions == toset([aws_sns_topic.alarms.arn]) && a.ok_actions == toset([aws_sns_topic.alarms.arn])],
      [for a in values(aws_cloudwatch_metric_alarm.load_balancer_5xx) : a.alarm_actions == toset([aws_sns_topic.alarms.arn]) && a.ok_actions == toset([aws_sns_topic.alarms.arn])],
      [aws_cloudwatch_metric_alarm.unhealthy_ingress.alarm_actions == toset([aws_sns_topic.alarms.arn])],
    ))
    error_message = "every alarm must notify the topic, on alarm and on recovery"
  }
  assert {
    condition     = aws_sns_topic.alarms.kms_master_key_id == var.kms_key_arn
    error_message = "the alarm topic must be encrypted with the customer-managed key"
  }
  assert {
    condition     = aws_sns_topic_subscription.email["ops@cdaprod.dev"].protocol == "email"
    error_message = "each address must get an e-mail subscription"
  }
  assert {
    condition     = length(output.alarm_names) == 5
    error_message = "two status alarms and three load balancer alarms expected"
  }
}

run "rejects_a_watcher_that_is_not_a_host" {
  command = plan

  variables {
    watcher_hosts = ["cdaprod-test-monitoring-9"]
  }

  expect_failures = [aws_cloudwatch_metric_alarm.status_check]
}

run "rejects_a_topic_without_a_customer_managed_key" {
  command = plan

  variables {
    kms_key_arn = null
  }

  expect_failures = [var.kms_key_arn]
}

run "rejects_a_malformed_address" {
  command = plan

  variables {
    email_addresses = ["ops at cdaprod.dev"]
  }

  expect_failures = [var.email_addresses]
}
