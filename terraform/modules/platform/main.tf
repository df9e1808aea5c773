################################################################################
# One environment of the platform: network, storage, hosts, DNS + load balancer.
# Both roots (terraform/roots/aws for dev/stage/prod, terraform/roots/emulated) call this
# module from the same main.tf, so every environment is composed the same way and differs
# only in provider, backend and tfvars.
################################################################################

locals {
  name_prefix = "${var.project}-${var.environment}"
  tags = merge(var.extra_tags, {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
  })

  buckets = module.storage.bucket_arns

  # Least privilege: who reads raw originals, who writes what.
  bucket_access = {
    airflow_master = { read = [local.buckets.raw], write = [local.buckets.notebooks] }
    worker_cpu     = { read = [local.buckets.raw], write = [local.buckets.derivatives, local.buckets.notebooks] }
    worker_gpu     = { read = [local.buckets.raw], write = [local.buckets.derivatives, local.buckets.notebooks] }
    ingress        = { read = [local.buckets.derivatives], write = [] }
    postgres       = { read = [], write = [local.buckets.backups] }
    weaviate       = { read = [], write = [local.buckets.backups] }
  }
}

module "network" {
  source = "../network"

  name_prefix                 = local.name_prefix
  tags                        = local.tags
  vpc_cidr                    = var.vpc_cidr
  azs                         = var.azs
  single_nat_gateway          = var.single_nat_gateway
  flow_log_destination_type   = var.flow_log_destination_type
  flow_log_bucket_arn         = module.storage.logs_bucket_arn
  http_redirect_from_internet = var.http_redirect_from_internet
}

module "storage" {
  source = "../storage"

  name_prefix    = local.name_prefix
  tags           = local.tags
  bucket_suffix  = var.bucket_suffix
  create_kms_key = var.create_kms_key
  force_destroy  = var.force_destroy
}

module "compute" {
  source = "../compute"

  name_prefix         = local.name_prefix
  tags                = local.tags
  groups              = var.groups
  subnet_ids          = module.network.private_subnet_ids
  security_group_ids  = module.network.security_group_ids
  ami_owner           = var.ami_owner
  detailed_monitoring = var.detailed_monitoring
  bucket_access       = local.bucket_access
  data_kms_key_arn    = module.storage.kms_key_arn
  queue_access = {
    airflow_master = [module.storage.ingest_queue_arn]
  }
}

module "dns" {
  source = "../dns"

  name_prefix          = local.name_prefix
  tags                 = local.tags
  domain_name          = var.domain_name
  create_zone          = var.create_zone
  subdomains           = var.subdomains
  vpc_id               = module.network.vpc_id
  public_subnet_ids    = module.network.public_subnet_ids
  security_group_id    = module.network.security_group_ids["alb"]
  target_instance_ids  = { for name, id in module.compute.instance_ids : name => id if module.compute.instance_groups[name] == "ingress" }
  access_logs_bucket   = module.storage.logs_bucket_name
  deletion_protection  = var.deletion_protection
  wait_for_certificate = var.wait_for_certificate
}
