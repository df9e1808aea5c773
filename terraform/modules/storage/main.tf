locals {
  suffix = var.bucket_suffix == "" ? "" : "-${var.bucket_suffix}"

  # Data buckets. Every bucket is versioned: originals, notebooks and backups must survive
  # mistakes; derivatives are regenerable, so their old versions expire sooner.
  data_buckets = {
    raw         = { purpose = "raw video originals", noncurrent_days = var.noncurrent_version_expiration_days }
    derivatives = { purpose = "derivatives (posters, proxies, sprites)", noncurrent_days = 7 }
    notebooks   = { purpose = "executed notebook outputs", noncurrent_days = var.noncurrent_version_expiration_days }
    backups     = { purpose = "database and configuration backups", noncurrent_days = var.noncurrent_version_expiration_days }
    bundles     = { purpose = "worker configuration bundles: playbook, roles, wheelhouse, inventory variables; no secrets", noncurrent_days = 30 }
  }

  kms_key_arn = var.kms_key_arn != null ? var.kms_key_arn : (var.create_kms_key ? aws_kms_key.this[0].arn : null)
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_elb_service_account" "current" {}

################################################################################
# KMS
################################################################################

data "aws_iam_policy_document" "kms" {
  count = var.kms_key_arn == null && var.create_kms_key ? 1 : 0

  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "S3SendsEncryptedEvents"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
  }

  # The platform's CloudWatch alarms publish to an SNS topic under this key.
  statement {
    sid       = "CloudWatchSendsEncryptedAlarms"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_kms_key" "this" {
  count = var.kms_key_arn == null && var.create_kms_key ? 1 : 0

  description             = "${var.name_prefix} data and transfer buckets, ingest queues, platform secret"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms[0].json

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  count = var.kms_key_arn == null && var.create_kms_key ? 1 : 0

  name          = "alias/${var.name_prefix}-data"
  target_key_id = aws_kms_key.this[0].key_id
}
