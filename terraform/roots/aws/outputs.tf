output "environment" {
  description = "Environment name."
  value       = module.platform.environment
}

output "hosts" {
  description = "Every host by name with its group (Role tag), instance id and private IP; platformctl writes the Ansible inventory from it."
  value       = module.platform.hosts
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = module.platform.vpc_id
}

output "bucket_names" {
  description = "Bucket name per purpose."
  value       = module.platform.bucket_names
}

output "ingest_queue_url" {
  description = "SQS queue announcing new raw objects."
  value       = module.platform.ingest_queue_url
}

output "fqdns" {
  description = "Service names served by the load balancer."
  value       = module.platform.fqdns
}

output "lb_dns_name" {
  description = "DNS name of the load balancer."
  value       = module.platform.lb_dns_name
}

output "region" {
  description = "AWS region of the environment."
  value       = var.region
}
