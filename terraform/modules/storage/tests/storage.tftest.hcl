# Offline: every AWS call is answered by the mock provider.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{}"
    }
  }
  mock_data "aws_elb_service_account" {
    defaults = {
      arn = "arn:aws:iam::127311923021:root"
    }
  }
  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    }
  }
}

variables {
  name_prefix   = "cdaprod-test"
  bucket_suffix = "123456789012"
  tags          = { Project = "cdaprod", Environment = "dev" }
}

run "every_bucket_is_private_encrypted_and_versioned" {
  command = apply

  assert {
    condition     = toset(keys(aws_s3_bucket.this)) == toset(["raw", "derivatives", "notebooks", "backups", "bundles"])
    error_message = "Data buckets raw, derivatives, notebooks, backups and bundles expected."
  }

  assert {
    condition = alltrue([
      for b in concat(values(aws_s3_bucket_public_access_block.this), [aws_s3_bucket_public_access_block.logs]) :
      b.block_public_acls && b.block_public_policy && b.ignore_public_acls && b.restrict_public_buckets
    ])
    error_message = "Every bucket must block all public access."
  }

  assert {
    condition = alltrue([
      for c in aws_s3_bucket_server_side_encryption_configuration.this :
      one(c.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" &&
      one(c.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == aws_kms_key.this[0].arn
    ])
    error_message = "Data buckets must be encrypted with the module's KMS key by default."
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.logs.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "The logs bucket must be encrypted (SSE-S3, which ALB log delivery requires)."
  }

  assert {
    condition     = alltrue([for v in concat(values(aws_s3_bucket_versioning.this), [aws_s3_bucket_versioning.logs]) : v.versioning_configuration[0].status == "Enabled"])
    error_message = "Every bucket must be versioned."
  }

  assert {
    condition     = aws_kms_key.this[0].enable_key_rotation
    error_message = "The KMS key must rotate."
  }

  assert {
    condition     = alltrue([for o in aws_s3_bucket_ownership_controls.this : one(o.rule).object_ownership == "BucketOwnerEnforced"])
    error_message = "ACLs must be disabled (BucketOwnerEnforced)."
  }

  assert {
    condition = (
      aws_s3_bucket.this["bundles"].bucket == "cdaprod-test-bundles-123456789012" &&
      aws_s3_bucket_versioning.this["bundles"].versioning_configuration[0].status == "Enabled" &&
      aws_s3_bucket_logging.this["bundles"].target_prefix == "s3/bundles/" &&
      anytrue([for r in aws_s3_bucket_lifecycle_configuration.this["bundles"].rule : anytrue([for n in r.noncurrent_version_expiration : n.noncurrent_days == 30])])
    )
    error_message = "The bundles bucket is versioned and access-logged like the others; bundles it replaced expire after 30 days."
  }

  assert {
    condition     = aws_s3_bucket.this["raw"].bucket == "cdaprod-test-raw-123456789012" && !aws_s3_bucket.this["raw"].force_destroy
    error_message = "Bucket names come from name_prefix and bucket_suffix; originals are never force-destroyed by default."
  }
}

run "bucket_policies_deny_plain_http" {
  command = apply

  assert {
    condition = length(setsubtract(
      concat(keys(aws_s3_bucket.this), ["(logs)", "(transfer)"]),
      keys(data.aws_iam_policy_document.tls_only)
    )) == 0
    error_message = "Every bucket of the module, logs and transfer included, must have a TLS-only policy document."
  }

  assert {
    condition = alltrue([
      for d in data.aws_iam_policy_document.tls_only : anytrue([
        for s in d.statement : s.effect == "Deny" && anytrue([
          for c in s.condition : c.variable == "aws:SecureTransport" && contains(c.values, "false")
        ])
      ])
    ])
    error_message = "Every bucket policy must deny requests without TLS."
  }

  assert {
    condition     = data.aws_iam_policy_document.logs.source_policy_documents == tolist([data.aws_iam_policy_document.tls_only["(logs)"].json])
    error_message = "The logs bucket policy must start from its TLS-only document."
  }

  assert {
    condition     = aws_s3_bucket_policy.transfer[0].policy == data.aws_iam_policy_document.tls_only["(transfer)"].json
    error_message = "The transfer bucket's policy must be its TLS-only document."
  }
}

run "raw_objects_are_announced_on_the_ingest_queue" {
  command = apply

  assert {
    condition     = one(aws_s3_bucket_notification.raw.queue).queue_arn == aws_sqs_queue.ingest.arn
    error_message = "New raw objects must be sent to the ingest queue."
  }

  assert {
    condition     = contains(one(aws_s3_bucket_notification.raw.queue).events, "s3:ObjectCreated:*")
    error_message = "The notification must fire on object creation."
  }

  assert {
    condition     = aws_sqs_queue.ingest.kms_master_key_id == aws_kms_key.this[0].arn
    error_message = "The queue must be encrypted with the KMS key."
  }
}

run "failed_ingest_messages_go_to_a_dead_letter_queue" {
  command = apply

  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_policy.ingest.redrive_policy).deadLetterTargetArn == aws_sqs_queue.ingest_dead_letter.arn
    error_message = "The ingest queue must redrive to its dead-letter queue."
  }

  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_policy.ingest.redrive_policy).maxReceiveCount == 5 && aws_sqs_queue_redrive_policy.ingest.queue_url == aws_sqs_queue.ingest.id
    error_message = "A message moves to the dead-letter queue after 5 receives."
  }

  assert {
    condition     = aws_sqs_queue.ingest_dead_letter.message_retention_seconds == 1209600
    error_message = "Dead letters are kept 14 days (the SQS maximum)."
  }

  assert {
    condition     = aws_sqs_queue.ingest_dead_letter.kms_master_key_id == aws_kms_key.this[0].arn && aws_sqs_queue.ingest_dead_letter.kms_master_key_id == aws_sqs_queue.ingest.kms_master_key_id
    error_message = "The dead-letter queue is encrypted like the ingest queue."
  }

  assert {
    condition     = output.ingest_dead_letter_queue_url == aws_sqs_queue.ingest_dead_letter.id
    error_message = "The dead-letter queue's URL is an output."
  }
}

run "the_secret_store_holds_no_value" {
  command = apply

  assert {
    condition     = aws_secretsmanager_secret.platform.name == "cdaprod-test/platform"
    error_message = "The platform secret is named <name_prefix>/platform."
  }

  assert {
    condition     = aws_secretsmanager_secret.platform.kms_key_id == aws_kms_key.this[0].arn
    error_message = "The secret is encrypted with the module's KMS key."
  }

  assert {
    condition     = aws_secretsmanager_secret.platform.recovery_window_in_days == 30
    error_message = "By default a deleted secret can be restored for 30 days."
  }

  assert {
    condition     = output.secret_arn == aws_secretsmanager_secret.platform.arn
    error_message = "The secret's ARN is an output."
  }

  assert {
    condition     = aws_secretsmanager_secret.workers.name == "cdaprod-test/workers" && aws_secretsmanager_secret.workers.kms_key_id == aws_kms_key.this[0].arn
    error_message = "The workers' secret is <name_prefix>/workers, encrypted with the module's KMS key."
  }

  assert {
    condition     = output.worker_secret_arn == aws_secretsmanager_secret.workers.arn
    error_message = "The workers' secret's ARN is an output."
  }

  # No aws_secretsmanager_secret_version exists in this module (a reference to one would not
  # even load): the values are written by platformctl and never enter Terraform state.
}

run "throw_away_secret_is_deleted_at_once" {
  command = plan

  variables {
    secret_recovery_window_days = 0
  }

  assert {
    condition     = aws_secretsmanager_secret.platform.recovery_window_in_days == 0
    error_message = "A recovery window of 0 deletes the secret at once."
  }
}

run "ssm_transfer_bucket_keeps_nothing" {
  command = apply

  assert {
    condition     = aws_s3_bucket.transfer.bucket == "cdaprod-test-ssm-transfer-123456789012" && output.transfer_bucket_name == aws_s3_bucket.transfer.id
    error_message = "The transfer bucket is named <name_prefix>-ssm-transfer<suffix> and is an output."
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.transfer.block_public_acls && aws_s3_bucket_public_access_block.transfer.block_public_policy &&
      aws_s3_bucket_public_access_block.transfer.ignore_public_acls && aws_s3_bucket_public_access_block.transfer.restrict_public_buckets
    )
    error_message = "The transfer bucket must block all public access."
  }

  assert {
    condition = (
      one(aws_s3_bucket_server_side_encryption_configuration.transfer.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" &&
      one(aws_s3_bucket_server_side_encryption_configuration.transfer.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == aws_kms_key.this[0].arn
    )
    error_message = "The transfer bucket is encrypted with the module's KMS key."
  }

  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.transfer.rule).expiration[0].days == 1 && one(aws_s3_bucket_lifecycle_configuration.transfer.rule).status == "Enabled"
    error_message = "Transfer objects expire after one day."
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.transfer.rule).object_ownership == "BucketOwnerEnforced" && aws_s3_bucket_logging.transfer.target_bucket == aws_s3_bucket.logs.id
    error_message = "ACLs off and access logged, like every other bucket."
  }

  assert {
    condition     = output.bucket_names["transfer"] == aws_s3_bucket.transfer.id
    error_message = "bucket_names lists the transfer bucket."
  }
}

run "raw_originals_are_kept_and_tiered" {
  command = apply

  assert {
    condition = anytrue([
      for r in aws_s3_bucket_lifecycle_configuration.this["raw"].rule : anytrue([for t in r.transition : t.storage_class == "STANDARD_IA"])
    ])
    error_message = "Raw originals move to STANDARD_IA."
  }

  assert {
    condition     = alltrue([for r in aws_s3_bucket_lifecycle_configuration.this["raw"].rule : length(r.expiration) == 0])
    error_message = "Current raw originals must never expire."
  }
}

run "sse_s3_without_kms" {
  command = plan

  variables {
    create_kms_key = false
  }

  assert {
    condition     = length(aws_kms_key.this) == 0
    error_message = "No key is created when create_kms_key is false."
  }

  assert {
    condition     = alltrue([for c in aws_s3_bucket_server_side_encryption_configuration.this : one(c.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"])
    error_message = "Without KMS, buckets still use SSE-S3."
  }

  assert {
    condition     = aws_sqs_queue.ingest.sqs_managed_sse_enabled && aws_sqs_queue.ingest_dead_letter.sqs_managed_sse_enabled
    error_message = "Without KMS, the queues use SQS-managed encryption."
  }

  assert {
    condition     = aws_secretsmanager_secret.platform.kms_key_id == null && one(aws_s3_bucket_server_side_encryption_configuration.transfer.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "Without KMS, the secret uses the AWS managed key and the transfer bucket SSE-S3."
  }
}

run "rejects_a_bad_prefix" {
  command = plan

  variables {
    name_prefix = "Cdaprod_Test"
  }

  expect_failures = [var.name_prefix]
}

run "rejects_a_bad_kms_arn" {
  command = plan

  variables {
    kms_key_arn = "alias/whatever"
  }

  expect_failures = [var.kms_key_arn]
}

run "rejects_a_bad_recovery_window" {
  command = plan

  variables {
    secret_recovery_window_days = 3
  }

  expect_failures = [var.secret_recovery_window_days]
}

run "an_endpoint_without_condition_support_gets_no_tls_deny" {
  command = plan

  variables {
    deny_insecure_transport = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0 && length(aws_s3_bucket_policy.transfer) == 0
    error_message = "Without the TLS-only statement the data and transfer buckets get no policy (an empty one is refused)."
  }

  assert {
    condition     = length(data.aws_iam_policy_document.tls_only["(logs)"].statement) == 0 && length(data.aws_iam_policy_document.logs.statement) == 4
    error_message = "The logs bucket keeps its four service grants, without the TLS-only statement."
  }
}
