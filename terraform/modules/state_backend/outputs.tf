output "bucket_name" {
  description = "Name of the state bucket."
  value       = try(aws_s3_bucket.this.id, null)
}

output "bucket_arn" {
  description = "ARN of the state bucket."
  value       = try(aws_s3_bucket.this.arn, null)
}

output "backend_config" {
  description = "Settings for the environment's backend \"s3\" block (use_lockfile: S3 native locking)."
  value = try({
    bucket       = local.bucket
    key          = "${var.environment}/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }, null)
}
