output "zone_id" {
  description = "ID of the Route53 zone (created or looked up)."
  value       = try(local.zone_id, null)
}

output "name_servers" {
  description = "Name servers of the zone when this module created it (delegate to them at the registrar)."
  value       = try(aws_route53_zone.this[0].name_servers, [])
}

output "certificate_arn" {
  description = "ARN of the ACM certificate."
  value       = try(aws_acm_certificate.this.arn, null)
}

output "lb_arn" {
  description = "ARN of the application load balancer."
  value       = try(aws_lb.this.arn, null)
}

output "lb_dns_name" {
  description = "DNS name of the application load balancer."
  value       = try(aws_lb.this.dns_name, null)
}

output "fqdns" {
  description = "Fully qualified service names per subdomain (archive, airflow, api)."
  value       = try(local.fqdns, {})
}

output "target_group_arn" {
  description = "ARN of the ingress target group."
  value       = try(aws_lb_target_group.ingress.arn, null)
}

output "lb_arn_suffix" {
  description = "The load balancer's ARN suffix (app/NAME/ID): the LoadBalancer dimension of its CloudWatch metrics."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn_suffix" {
  description = "The ingress target group's ARN suffix (targetgroup/NAME/ID): the TargetGroup dimension of its CloudWatch metrics."
  value       = aws_lb_target_group.ingress.arn_suffix
}
