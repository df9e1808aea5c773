################################################################################
# Ingest trigger: new raw objects -> SQS (the ingest DAG's sensor reads this queue); a
# message received max_receive_count times without being deleted moves to the dead-letter
# queue, where it waits 14 days for someone to look at it instead of blocking the sensor.
################################################################################

resource "aws_sqs_queue" "ingest" {
  name                              = "${var.name_prefix}-raw-ingest"
  message_retention_seconds         = var.queue_message_retention_seconds
  visibility_timeout_seconds        = 300
  kms_master_key_id                 = local.kms_key_arn
  sqs_managed_sse_enabled           = local.kms_key_arn == null ? true : null
  kms_data_key_reuse_period_seconds = local.kms_key_arn == null ? null : 300

  tags = var.tags

  lifecycle {
    # aws_sqs_queue_redrive_policy.ingest owns this attribute (and detects its drift, comparing
    # JSON by meaning); read back here verbatim, a reformatted copy (moto returns it with
    # spaces) would show as a change on every plan.
    ignore_changes = [redrive_policy]
  }
}

resource "aws_sqs_queue" "ingest_dead_letter" {
  name                              = "${var.name_prefix}-raw-ingest-dlq"
  message_retention_seconds         = 1209600
  kms_master_key_id                 = local.kms_key_arn
  sqs_managed_sse_enabled           = local.kms_key_arn == null ? true : null
  kms_data_key_reuse_period_seconds = local.kms_key_arn == null ? null : 300

  tags = merge(var.tags, { Purpose = "ingest messages that failed ${var.max_receive_count} times" })
}

# No redrive allow policy on the dead-letter queue (limiting which queues may use it): moto
# accepts RedriveAllowPolicy but never returns it, so the provider's propagation waiter would
# hang the emulated apply; within one account's queues it would add little.
resource "aws_sqs_queue_redrive_policy" "ingest" {
  queue_url = aws_sqs_queue.ingest.id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.ingest_dead_letter.arn
    maxReceiveCount     = var.max_receive_count
  })
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

# After the redrive policy: both are SetQueueAttributes calls on the same queue, and moto's
# replaces the queue's access policy with the call's (none) on the redrive call. In the other
# order the emulated apply could hang, waiting for a policy moto had dropped.
resource "aws_sqs_queue_policy" "ingest" {
  queue_url = aws_sqs_queue.ingest.id
  policy    = data.aws_iam_policy_document.ingest_queue.json

  depends_on = [aws_sqs_queue_redrive_policy.ingest]
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
