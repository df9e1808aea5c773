output "environment" {
  description = "Environment name."
  value       = var.environment
}

output "name_prefix" {
  description = "Prefix of every resource name."
  value       = local.name_prefix
}

output "hosts" {
  description = "Every fixed host by name (autoscaled kinds are in worker_groups): instance id, kind, groups, private IP, AZ, type, GPU flag, data volume id (null without one)."
  value       = try(module.compute.instances, {})
}

output "host_kinds" {
  description = "Per host kind: groups, security groups, bucket purposes read and written, queues consumed (unions over its groups), termination protection, whether it is autoscaled."
  value       = try(module.compute.kinds, {})
}

output "worker_groups" {
  description = "Per autoscaled host kind: queue, autoscaling_group_name, lifecycle_hook_name, launch_template_id, min_size, max_size, desired_capacity (at creation), instance_types, groups, gpu."
  # No try(): the keys stay known at plan time (the output never fails).
  value = module.compute.worker_groups
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = try(module.network.vpc_id, null)
}

output "bucket_names" {
  description = "Bucket name per purpose (raw, derivatives, notebooks, backups, bundles, logs, transfer)."
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

output "ingest_dead_letter_queue_url" {
  description = "Dead-letter queue of the ingest queue (messages received 5 times without being deleted)."
  value       = try(module.storage.ingest_dead_letter_queue_url, null)
}

output "secrets_id" {
  description = "ARN of the Secrets Manager secret holding platform_secrets (values written by platformctl)."
  value       = try(module.storage.secret_arn, null)
}

output "ssm_transfer_bucket" {
  description = "Bucket of Ansible's amazon.aws.aws_ssm connection (ansible_aws_ssm_bucket_name)."
  value       = try(module.storage.transfer_bucket_name, null)
}

output "inventory" {
  description = "Everything the Ansible inventory writer reads, in one object: environment, region, domain, private_cidr, buckets (purpose -> name), ingest_queue_url, ingest_dead_letter_queue_url, secrets_id, worker_secrets_id (the workers' share of the secrets, which autoscaled workers read at boot), ssm_transfer_bucket, public_airflow_ui, discovery_tags (the tags that select this environment's instances), hosts (fixed hosts: name -> id, kind, groups, private_ip, availability_zone, instance_type, gpu, data_volume_id), worker_groups (autoscaled kind -> queue, autoscaling_group_name, lifecycle_hook_name, launch_template_id, min_size, max_size, desired_capacity, instance_types, groups, gpu) and bundle_manifest_key (the worker bundle's manifest in buckets.bundles)."
  value = {
    environment                  = var.environment
    region                       = data.aws_region.current.name
    domain                       = var.domain_name
    private_cidr                 = var.vpc_cidr
    buckets                      = try(module.storage.bucket_names, {})
    ingest_queue_url             = try(module.storage.ingest_queue_url, null)
    ingest_dead_letter_queue_url = try(module.storage.ingest_dead_letter_queue_url, null)
    secrets_id                   = try(module.storage.secret_arn, null)
    worker_secrets_id            = try(module.storage.worker_secret_arn, null)
    ssm_transfer_bucket          = try(module.storage.transfer_bucket_name, null)
    public_airflow_ui            = var.public_airflow_ui
    discovery_tags               = { Project = var.project, Environment = var.environment }
    hosts                        = try(module.compute.instances, {})
    worker_groups                = module.compute.worker_groups
    bundle_manifest_key          = local.bundle_manifest_key
  }
}

output "alarm_topic_arn" {
  description = "ARN of the SNS topic the CloudWatch alarms notify."
  value       = module.alarms.topic_arn
}
