output "environment" {
  description = "Environment name."
  value       = var.environment
}

output "name_prefix" {
  description = "Prefix of every resource name."
  value       = local.name_prefix
}

output "hosts" {
  description = "Every host by name: group (Role tag), instance id, private IP, AZ, type, GPU flag. The Ansible inventory is built from this."
  value       = try(module.compute.instances, {})
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = try(module.network.vpc_id, null)
}

output "bucket_names" {
  description = "Bucket name per purpose (raw, derivatives, notebooks, backups, logs)."
  value       = try(module.storage.bucket_names, {})
}

output "ingest_queue_url" {
  description = "SQS queue announcing new raw objects."
  value       = try(module.storage.ingest_queue_url, null)
}

output "fqdns" {
  description = "Service names served by the load balancer."
  value       = try(module.dns.fqdns, {})
}

output "lb_dns_name" {
  description = "DNS name of the load balancer."
  value       = try(module.dns.lb_dns_name, null)
}

output "zone_id" {
  description = "Route53 zone ID."
  value       = try(module.dns.zone_id, null)
}
