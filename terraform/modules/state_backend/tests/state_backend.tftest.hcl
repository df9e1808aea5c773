# Offline: every AWS call is answered by the mock provider.
mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{}"
    }
  }
}

variables {
  name_prefix   = "cdaprod"
  environment   = "dev"
  bucket_suffix = "123456789012"
}

# plan only: the bucket has prevent_destroy, so a test apply could not be torn down.
run "state_bucket_is_private_versioned_encrypted" {
  command = plan

  assert {
    condition     = aws_s3_bucket.this.bucket == "cdaprod-dev-tfstate-123456789012"
    error_message = "The bucket name must match what `make bootstrap` creates."
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "State must be versioned."
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "State must be encrypted."
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.this.block_public_acls && aws_s3_bucket_public_access_block.this.block_public_policy &&
      aws_s3_bucket_public_access_block.this.ignore_public_acls && aws_s3_bucket_public_access_block.this.restrict_public_buckets
    )
    error_message = "State must never be public."
  }

  assert {
    condition     = anytrue([for s in data.aws_iam_policy_document.this.statement : s.effect == "Deny" && anytrue([for c in s.condition : c.variable == "aws:SecureTransport"])])
    error_message = "State access must require TLS."
  }

  assert {
    condition     = output.backend_config.use_lockfile && output.backend_config.key == "dev/terraform.tfstate"
    error_message = "The backend uses S3 native locking with a per-environment key."
  }
}

run "rejects_an_unknown_environment" {
  command = plan

  variables {
    environment = "qa"
  }

  expect_failures = [var.environment]
}
