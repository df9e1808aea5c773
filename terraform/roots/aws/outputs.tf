output "environment" {
  description = "Environment name."
  value       = module.platform.environment
}

output "inventory" {
  description = "The one object platformctl writes the Ansible inventory from: environment, region, domain, private_cidr, buckets, ingest_queue_url, ingest_dead_letter_queue_url, secrets_id, worker_secrets_id, ssm_transfer_bucket, public_airflow_ui, discovery_tags, hosts (fixed hosts: name -> id, kind, groups, private_ip, availability_zone, instance_type, gpu, data_volume_id), worker_groups (autoscaled kind -> queue, autoscaling_group_name, lifecycle_hook_name, launch_template_id, min_size, max_size, desired_capacity, instance_types, groups, gpu) and bundle_manifest_key."
  value       = module.platform.inventory
}

output "hosts" {
  description = "Every fixed host by name: instance id, kind, groups, private IP, AZ, instance type, GPU flag, data volume id (also inventory.hosts)."
  value       = module.platform.hosts
}

output "worker_groups" {
  description = "Per autoscaled host kind: queue, autoscaling_group_name, lifecycle_hook_name, launch_template_id, min_size, max_size, desired_capacity (at creation), instance_types, groups, gpu (also inventory.worker_groups)."
  value       = module.platform.worker_groups
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

output "ingest_dead_letter_queue_url" {
  description = "Dead-letter queue of the ingest queue."
  value       = module.platform.ingest_dead_letter_queue_url
}

output "secrets_id" {
  description = "ARN of the Secrets Manager secret holding platform_secrets (values written by platformctl with boto3)."
  value       = module.platform.secrets_id
}

output "ssm_transfer_bucket" {
  description = "Bucket of Ansible's amazon.aws.aws_ssm connection."
  value       = module.platform.ssm_transfer_bucket
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

output "alarm_topic_arn" {
  description = "ARN of the SNS topic the CloudWatch alarms notify."
  value       = module.platform.alarm_topic_arn
}
