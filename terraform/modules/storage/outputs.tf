output "bucket_names" {
  description = "Bucket name per purpose: raw, derivatives, notebooks, backups, bundles, logs, transfer."
  value       = try(merge({ for k, b in aws_s3_bucket.this : k => b.id }, { logs = aws_s3_bucket.logs.id, transfer = aws_s3_bucket.transfer.id }), {})
}

output "bucket_arns" {
  description = "Bucket ARN per purpose: raw, derivatives, notebooks, backups, bundles, logs, transfer."
  value       = try(merge({ for k, b in aws_s3_bucket.this : k => b.arn }, { logs = aws_s3_bucket.logs.arn, transfer = aws_s3_bucket.transfer.arn }), {})
}

output "logs_bucket_name" {
  description = "Name of the logs bucket (flow logs under AWSLogs/, load balancer logs under alb/)."
  value       = try(aws_s3_bucket.logs.id, null)
}

output "logs_bucket_arn" {
  description = "ARN of the logs bucket."
  value       = try(aws_s3_bucket.logs.arn, null)
}

output "kms_key_arn" {
  description = "KMS key that encrypts the data and transfer buckets, the queues and the secret (null when SSE-S3 is used)."
  value       = try(local.kms_key_arn, null)
}

output "ingest_queue_url" {
  description = "URL of the SQS queue that receives new raw object events."
  value       = try(aws_sqs_queue.ingest.id, null)
}

output "ingest_queue_arn" {
  description = "ARN of the SQS queue that receives new raw object events."
  value       = try(aws_sqs_queue.ingest.arn, null)
}

output "ingest_dead_letter_queue_url" {
  description = "URL of the dead-letter queue of the ingest queue (messages received max_receive_count times)."
  value       = try(aws_sqs_queue.ingest_dead_letter.id, null)
}

output "ingest_dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue of the ingest queue."
  value       = try(aws_sqs_queue.ingest_dead_letter.arn, null)
}

output "transfer_bucket_name" {
  description = "Name of the bucket Ansible's aws_ssm connection transfers files through (objects expire)."
  value       = try(aws_s3_bucket.transfer.id, null)
}

output "secret_arn" {
  description = "ARN of the platform's Secrets Manager secret (values written by platformctl, not Terraform)."
  value       = try(aws_secretsmanager_secret.platform.arn, null)
}

output "worker_secret_arn" {
  description = "ARN of the workers' Secrets Manager secret: their share of the platform secrets, which worker instances read at boot (values written by platformctl)."
  value       = try(aws_secretsmanager_secret.workers.arn, null)
}

output "secret_name" {
  description = "Name of the platform's Secrets Manager secret (<name_prefix>/platform)."
  value       = try(aws_secretsmanager_secret.platform.name, null)
}
