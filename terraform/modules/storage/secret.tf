################################################################################
# The platform's secret store in the cloud: one Secrets Manager secret whose JSON keys are
# the `platform_secrets` Ansible reads. Terraform creates only the container: platformctl
# generates the values and writes them with boto3, so no secret value is ever in state (no
# aws_secretsmanager_secret_version here, on purpose).
################################################################################

resource "aws_secretsmanager_secret" "platform" {
  #checkov:skip=CKV2_AWS_57: No automatic rotation: platformctl generates each value once and the services keep using it; a rotation Lambda changing passwords behind running services (PostgreSQL roles, API keys in env files) would break them until the next converge.
  name                    = "${var.name_prefix}/platform"
  description             = "${var.name_prefix} platform secrets (platform_secrets); values written by platformctl, never by Terraform"
  kms_key_id              = local.kms_key_arn
  recovery_window_in_days = var.secret_recovery_window_days

  tags = merge(var.tags, { Name = "${var.name_prefix}/platform" })
}

# The workers' share of those secrets (only the keys the worker play reads; the platform CA's
# certificate without its key): the instances of the worker groups read it themselves at boot,
# so their role is granted this secret and never the platform's.
resource "aws_secretsmanager_secret" "workers" {
  #checkov:skip=CKV2_AWS_57: No automatic rotation, as for the platform secret it copies from: platformctl writes it from that one.
  name                    = "${var.name_prefix}/workers"
  description             = "${var.name_prefix} workers' share of the platform secrets; values written by platformctl, never by Terraform"
  kms_key_id              = local.kms_key_arn
  recovery_window_in_days = var.secret_recovery_window_days

  tags = merge(var.tags, { Name = "${var.name_prefix}/workers" })
}
