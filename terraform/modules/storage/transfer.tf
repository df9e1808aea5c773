################################################################################
# SSM transfer bucket: Ansible's amazon.aws.aws_ssm connection copies every module (and the
# files a task sends or fetches) through it. The controller presigns each URL, so hosts need
# no IAM grant here. Objects may carry module arguments, secrets included, in plaintext:
# nothing is kept (no versioning, objects expire after transfer_expiration_days).
################################################################################

resource "aws_s3_bucket" "transfer" {
  #checkov:skip=CKV_AWS_21: Deliberately unversioned: objects can hold secrets in module arguments, and old versions would keep them past expiry (the aws_ssm plugin's own advice).
  #checkov:skip=CKV_AWS_144: Transient transfer files are never replicated.
  #checkov:skip=CKV2_AWS_62: Nothing consumes events for transfer objects.
  bucket = "${var.name_prefix}-ssm-transfer${local.suffix}"
  # Only transient files live here: destroying an environment never needs to keep them.
  force_destroy = true

  tags = merge(var.tags, { Name = "${var.name_prefix}-ssm-transfer", Purpose = "Ansible SSM file transfer" })
}

resource "aws_s3_bucket_ownership_controls" "transfer" {
  bucket = aws_s3_bucket.transfer.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "transfer" {
  bucket                  = aws_s3_bucket.transfer.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "transfer" {
  bucket = aws_s3_bucket.transfer.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = local.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = local.kms_key_arn != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "transfer" {
  bucket = aws_s3_bucket.transfer.id

  rule {
    id     = "expire-transfers"
    status = "Enabled"
    filter {}
    expiration {
      days = var.transfer_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_logging" "transfer" {
  bucket        = aws_s3_bucket.transfer.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/transfer/"

  depends_on = [aws_s3_bucket_policy.logs]
}

resource "aws_s3_bucket_policy" "transfer" {
  count = var.deny_insecure_transport ? 1 : 0

  bucket = aws_s3_bucket.transfer.id
  policy = data.aws_iam_policy_document.tls_only["(transfer)"].json

  depends_on = [aws_s3_bucket_public_access_block.transfer]
}
