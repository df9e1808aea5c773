################################################################################
# Data buckets: raw, derivatives, notebooks, backups, bundles
################################################################################

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144: Cross-region replication is a per-deployment cost decision; backups and versioning cover operator mistakes.
  #checkov:skip=CKV2_AWS_62: Only the raw bucket triggers ingest (see aws_s3_bucket_notification.raw); other buckets have no consumer for events.
  #checkov:skip=CKV_AWS_21: Versioning is aws_s3_bucket_versioning.this (for_each over these buckets); checkov cannot link for_each instances. Asserted in tests/storage.tftest.hcl.
  #checkov:skip=CKV_AWS_18: Access logging is aws_s3_bucket_logging.this (for_each, to the logs bucket); checkov cannot link for_each instances.
  #checkov:skip=CKV_AWS_145: SSE-KMS is aws_s3_bucket_server_side_encryption_configuration.this (for_each); checkov cannot link for_each instances. Asserted in tests/storage.tftest.hcl.
  #checkov:skip=CKV2_AWS_6: Public access block is aws_s3_bucket_public_access_block.this (for_each); checkov cannot link for_each instances. Asserted in tests/storage.tftest.hcl.
  #checkov:skip=CKV2_AWS_61: Lifecycle rules are aws_s3_bucket_lifecycle_configuration.this (for_each); checkov cannot link for_each instances. Asserted in tests/storage.tftest.hcl.
  for_each = local.data_buckets

  bucket        = "${var.name_prefix}-${each.key}${local.suffix}"
  force_destroy = var.force_destroy

  tags = merge(var.tags, { Name = "${var.name_prefix}-${each.key}", Purpose = each.value.purpose })
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = aws_s3_bucket.this

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = local.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = local.kms_key_arn != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = local.data_buckets[each.key].noncurrent_days
    }
  }

  dynamic "rule" {
    for_each = each.key == "raw" ? [1] : []
    content {
      id     = "originals-to-infrequent-access"
      status = "Enabled"
      filter {}
      transition {
        days          = var.raw_transition_days
        storage_class = "STANDARD_IA"
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_logging" "this" {
  for_each = aws_s3_bucket.this

  bucket        = each.value.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/${each.key}/"

  depends_on = [aws_s3_bucket_policy.logs]
}

# One TLS-only statement per bucket of the module: the data buckets' policies are just this
# statement, the transfer bucket's too, and the logs bucket's adds the log services' grants.
locals {
  tls_only_bucket_arns = merge(
    { for name, bucket in aws_s3_bucket.this : name => bucket.arn },
    # Parenthesised: never the name of a data bucket.
    { "(logs)" = aws_s3_bucket.logs.arn, "(transfer)" = aws_s3_bucket.transfer.arn },
  )
}

data "aws_iam_policy_document" "tls_only" {
  for_each = local.tls_only_bucket_arns

  dynamic "statement" {
    for_each = var.deny_insecure_transport ? [1] : []
    content {
      sid       = "DenyInsecureTransport"
      effect    = "Deny"
      actions   = ["s3:*"]
      resources = [each.value, "${each.value}/*"]
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
}

resource "aws_s3_bucket_policy" "this" {
  # The TLS-only statement is these policies' only one: no policy without it.
  for_each = var.deny_insecure_transport ? aws_s3_bucket.this : {}

  bucket = each.value.id
  policy = data.aws_iam_policy_document.tls_only[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.this]
}
