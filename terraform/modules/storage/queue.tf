################################################################################
# Ingest trigger: new raw objects -> SQS (the ingest DAG's sensor reads this queue)
################################################################################

resource "aws_sqs_queue" "ingest" {
  name                              = "${var.name_prefix}-raw-ingest"
  message_retention_seconds         = var.queue_message_retention_seconds
  visibility_timeout_seconds        = 300
  kms_master_key_id                 = local.kms_key_arn
  sqs_managed_sse_enabled           = local.kms_key_arn == null ? true : null
  kms_data_key_reuse_period_seconds = local.kms_key_arn == null ? null : 300

  tags = var.tags
}

data "aws_iam_policy_document" "ingest_queue" {
  statement {
    sid       = "RawBucketSendsEvents"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.ingest.arn]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.this["raw"].arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sqs_queue_policy" "ingest" {
  queue_url = aws_sqs_queue.ingest.id
  policy    = data.aws_iam_policy_document.ingest_queue.json
}

resource "aws_s3_bucket_notification" "raw" {
  bucket = aws_s3_bucket.this["raw"].id

  queue {
    id            = "raw-object-created"
    queue_arn     = aws_sqs_queue.ingest.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = var.raw_notification_prefix == "" ? null : var.raw_notification_prefix
  }

  depends_on = [aws_sqs_queue_policy.ingest]
}
