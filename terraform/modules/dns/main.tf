locals {
  zone_id = var.create_zone ? aws_route53_zone.this[0].zone_id : data.aws_route53_zone.this[0].zone_id
  fqdns   = { for s in var.subdomains : s => "${s}.${var.domain_name}" }
  lb_name = substr("${var.name_prefix}-web", 0, 32)
}

################################################################################
# Zone
################################################################################

resource "aws_route53_zone" "this" {
  #checkov:skip=CKV2_AWS_38: DNSSEC signing needs a KMS key in us-east-1 and a DS record at the registrar; enabled per deployment, not by this module.
  #checkov:skip=CKV2_AWS_39: Query logging needs a CloudWatch log group in us-east-1; enabled per deployment, not by this module.
  count = var.create_zone ? 1 : 0

  name    = var.domain_name
  comment = "${var.name_prefix} public zone"

  tags = var.tags
}

data "aws_route53_zone" "this" {
  count = var.create_zone ? 0 : 1

  name         = var.domain_name
  private_zone = false
}

################################################################################
# Certificate (DNS validated)
################################################################################

resource "aws_acm_certificate" "this" {
  domain_name               = var.domain_name
  subject_alternative_names = values(local.fqdns)
  validation_method         = "DNS"

  tags = merge(var.tags, { Name = var.domain_name })

  lifecycle {
    create_before_destroy = true
  }
}

# Keyed by the certificate's names (known at plan time), values from the validation options.
resource "aws_route53_record" "validation" {
  for_each = toset(concat([var.domain_name], values(local.fqdns)))

  zone_id         = local.zone_id
  name            = one([for o in aws_acm_certificate.this.domain_validation_options : o.resource_record_name if o.domain_name == each.key])
  type            = one([for o in aws_acm_certificate.this.domain_validation_options : o.resource_record_type if o.domain_name == each.key])
  records         = [one([for o in aws_acm_certificate.this.domain_validation_options : o.resource_record_value if o.domain_name == each.key])]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  count = var.wait_for_certificate ? 1 : 0

  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}

################################################################################
# Load balancer
################################################################################

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28: A WAF web ACL is a separate, paid product decision; TLS-only ingress and host rules are enforced here.
  name                       = local.lb_name
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.public_subnet_ids
  security_groups            = [var.security_group_id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection

  access_logs {
    bucket  = var.access_logs_bucket
    prefix  = "alb"
    enabled = true
  }

  tags = merge(var.tags, { Name = local.lb_name })
}

resource "aws_lb_target_group" "ingress" {
  name        = substr("${var.name_prefix}-ingress", 0, 32)
  port        = 443
  protocol    = "HTTPS"
  target_type = "instance"
  vpc_id      = var.vpc_id

  health_check {
    protocol            = "HTTPS"
    path                = "/healthz"
    matcher             = "200"
    healthy_threshold   = 2
    unhealthy_threshold = 3
    interval            = 30
  }

  tags = var.tags
}

resource "aws_lb_target_group_attachment" "ingress" {
  for_each = var.target_instance_ids

  target_group_arn = aws_lb_target_group.ingress.arn
  target_id        = each.value
  port             = 443
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.wait_for_certificate ? aws_acm_certificate_validation.this[0].certificate_arn : aws_acm_certificate.this.arn

  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "not found"
      status_code  = "404"
    }
  }

  tags = var.tags
}

resource "aws_lb_listener_rule" "host" {
  for_each = local.fqdns

  listener_arn = aws_lb_listener.https.arn
  priority     = 100 + index(var.subdomains, each.key)

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.ingress.arn
  }

  condition {
    host_header {
      values = [each.value]
    }
  }

  tags = merge(var.tags, { Name = each.value })
}

resource "aws_lb_listener" "http_redirect" {
  #checkov:skip=CKV_AWS_2: This listener only answers with a 301 to HTTPS; no content is served over HTTP.
  #checkov:skip=CKV_AWS_103: TLS policy does not apply to a plain HTTP redirect listener.
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }

  tags = var.tags
}

################################################################################
# Names
################################################################################

resource "aws_route53_record" "service" {
  for_each = local.fqdns

  zone_id = local.zone_id
  name    = each.value
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}
