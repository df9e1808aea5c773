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
