################################################################################
# Terraform state bucket. Locking uses S3 native lock files (backend "s3" with
# use_lockfile = true, Terraform >= 1.10), so no DynamoDB table is needed.
# `make bootstrap ENV=...` creates the same bucket with boto3 (platformctl/terraform_bootstrap.py)
# because the backend cannot hold its own state; this module documents and tests the shape
# and lets an account that prefers it manage the bucket with Terraform.
################################################################################

locals {
  bucket = "${var.name_prefix}-${var.environment}-tfstate${var.bucket_suffix == "" ? "" : "-${var.bucket_suffix}"}"
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144: State is small and versioned; cross-region replication is a per-account decision.
  #checkov:skip=CKV2_AWS_62: Nothing consumes events for state objects.
  #checkov:skip=CKV_AWS_18: Access to state is audited through CloudTrail data events, not a separate log bucket.
  bucket = local.bucket

  tags = merge(var.tags, { Name = local.bucket, Purpose = "terraform state" })

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  #checkov:skip=CKV2_AWS_67: kms_key_arn is optional; SSE-S3 is the default so bootstrap works before any key exists.
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-old-state-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

data "aws_iam_policy_document" "this" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.this.arn,
      "${aws_s3_bucket.this.arn}/*",
    ]
    # {"AWS": "*"} rather than "*": the same for a Deny, and moto parses it.
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.this.json

  depends_on = [aws_s3_bucket_public_access_block.this]
}
