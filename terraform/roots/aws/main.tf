################################################################################
# The one root configuration for every AWS environment (dev, stage, prod).
# An environment is data only: terraform/environments/<env>/<env>.tfvars plus the
# backend.hcl that `make bootstrap ENV=<env>` writes. platformctl selects both with
# -var-file and -backend-config, and gives each environment its own TF_DATA_DIR.
#
# roots/emulated shares this file, variables.tf and outputs.tf (symlinks), so the
# emulated cycle applies exactly this composition; only provider and backend differ.
################################################################################

module "platform" {
  source = "../../modules/platform"

  environment            = var.environment
  vpc_cidr               = var.vpc_cidr
  azs                    = var.azs
  single_nat_gateway     = var.single_nat_gateway
  hosts                  = var.hosts
  termination_protection = var.termination_protection
  domain_name            = var.domain_name
  create_zone            = var.create_zone
  public_airflow_ui      = var.public_airflow_ui
  bucket_suffix          = var.bucket_suffix
  deletion_protection    = var.deletion_protection
  force_destroy          = var.force_destroy
  detailed_monitoring    = var.detailed_monitoring
  alarm_email_addresses  = var.alarm_email_addresses
}
