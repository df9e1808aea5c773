output "bucket_names" {
  description = "Bucket name per purpose: raw, derivatives, notebooks, backups, logs."
  value       = try(merge({ for k, b in aws_s3_bucket.this : k => b.id }, { logs = aws_s3_bucket.logs.id }), {})
}

output "bucket_arns" {
  description = "Bucket ARN per purpose: raw, derivatives, notebooks, backups, logs."
  value       = try(merge({ for k, b in aws_s3_bucket.this : k => b.arn }, { logs = aws_s3_bucket.logs.arn }), {})
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
  description = "KMS key that encrypts the data buckets and the queue (null when SSE-S3 is used)."
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
