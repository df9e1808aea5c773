# Offline: every AWS call is answered by the mock provider.
mock_provider "aws" {
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
      domain_validation_options = [
        for d in ["cdaprod.dev", "archive.cdaprod.dev", "airflow.cdaprod.dev", "api.cdaprod.dev"] : {
          domain_name           = d
          resource_record_name  = "_x1.${d}."
          resource_record_type  = "CNAME"
          resource_record_value = "_x2.acm-validations.aws."
        }
      ]
    }
  }
  mock_resource "aws_lb" {
    defaults = {
      arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/cdaprod-test-web/1234567890abcdef"
      dns_name = "cdaprod-test-web-1.us-east-1.elb.amazonaws.com"
      zone_id  = "Z35SXDOTRQ7X7K"
    }
  }
  mock_resource "aws_lb_listener" {
    defaults = {
      arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/cdaprod-test-web/1234567890abcdef/1234567890abcdef"
    }
  }
  mock_resource "aws_lb_target_group" {
    defaults = {
      arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cdaprod-test-ingress/1234567890abcdef"
    }
  }
}

variables {
  name_prefix         = "cdaprod-test"
  tags                = { Project = "cdaprod", Environment = "dev" }
  domain_name         = "cdaprod.dev"
  vpc_id              = "vpc-1234"
  public_subnet_ids   = ["subnet-a", "subnet-b"]
  security_group_id   = "sg-alb"
  target_instance_ids = { "cdaprod-test-ingress-1" = "i-0123456789abcdef0" }
  access_logs_bucket  = "cdaprod-test-logs"
}

run "https_only_with_host_rules" {
  command = apply

  assert {
    condition     = aws_lb_listener.https.protocol == "HTTPS" && aws_lb_listener.https.port == 443
    error_message = "The main listener must be HTTPS on 443."
  }

  assert {
    condition     = can(regex("TLS13-1-2|TLS-1-2", aws_lb_listener.https.ssl_policy))
    error_message = "The HTTPS listener must allow TLS 1.2 and newer only."
  }

  assert {
    condition     = one(aws_lb_listener.http_redirect.default_action).type == "redirect" && one(one(aws_lb_listener.http_redirect.default_action).redirect).protocol == "HTTPS"
    error_message = "HTTP must redirect to HTTPS."
  }

  assert {
    condition     = toset(flatten([for r in aws_lb_listener_rule.host : [for c in r.condition : [for h in c.host_header : h.values]]])) == toset(["archive.cdaprod.dev", "airflow.cdaprod.dev", "api.cdaprod.dev"])
    error_message = "Host rules for archive., airflow. and api. expected."
  }

  assert {
    condition     = aws_lb.this.drop_invalid_header_fields && !aws_lb.this.internal
    error_message = "The internet-facing load balancer must drop invalid headers."
  }

  assert {
    condition     = one(aws_lb.this.access_logs).enabled && one(aws_lb.this.access_logs).bucket == "cdaprod-test-logs"
    error_message = "Load balancer access logs must go to the logs bucket."
  }

  assert {
    condition     = aws_acm_certificate.this.validation_method == "DNS" && length(aws_acm_certificate_validation.this) == 1
    error_message = "The certificate must be DNS-validated."
  }

  assert {
    condition     = length(aws_route53_zone.this) == 1 && length(aws_route53_record.service) == 3
    error_message = "A zone and one alias record per service name expected."
  }

  assert {
    condition     = length(aws_route53_record.validation) == 4 && aws_route53_record.validation["api.cdaprod.dev"].type == "CNAME"
    error_message = "One DNS validation record per certificate name expected."
  }

  assert {
    condition     = aws_lb_target_group.ingress.protocol == "HTTPS"
    error_message = "Traffic to the ingress hosts stays TLS."
  }
}

run "existing_zone_is_looked_up" {
  command = plan

  variables {
    create_zone = false
  }

  assert {
    condition     = length(aws_route53_zone.this) == 0 && length(data.aws_route53_zone.this) == 1
    error_message = "With create_zone = false the zone is looked up, not created."
  }
}

run "rejects_an_invalid_domain" {
  command = plan

  variables {
    domain_name = "https://Cdaprod.dev/"
  }

  expect_failures = [var.domain_name]
}

run "rejects_a_single_label_domain" {
  command = plan

  variables {
    domain_name = "localhost"
  }

  expect_failures = [var.domain_name]
}

run "rejects_an_old_tls_policy" {
  command = plan

  variables {
    ssl_policy = "ELBSecurityPolicy-2016-08"
  }

  expect_failures = [var.ssl_policy]
}
