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

  # The host groups a cloud environment knows (ARCHITECTURE.md), one entry each: the network
  # security group its hosts get, the buckets it reads and writes (least privilege), the
  # queues it consumes, and whether its data makes a host stateful (termination protection).
  # A host kind gets the union of its groups' entries.
  cloud_groups = {
    postgres       = { security_group = "postgres", read = [], write = ["backups"], consume = [], stateful = true }
    weaviate       = { security_group = "weaviate", read = [], write = ["backups"], consume = [], stateful = true }
    airflow_master = { security_group = "airflow_master", read = ["raw"], write = ["notebooks"], consume = [], stateful = false }
    airflow_worker = { security_group = "airflow_worker", read = [], write = [], consume = [], stateful = false }
    # The ingest DAG's SQS sensor runs on the cpu queue, so its workers consume the queue.
    worker_cpu     = { security_group = "airflow_worker", read = ["raw"], write = ["derivatives", "notebooks"], consume = ["ingest"], stateful = false }
    worker_gpu     = { security_group = "airflow_worker", read = ["raw"], write = ["derivatives", "notebooks"], consume = [], stateful = false }
    video_archive  = { security_group = "video_archive", read = ["raw", "derivatives"], write = [], consume = [], stateful = false }
    social_gateway = { security_group = "social_gateway", read = ["derivatives"], write = [], consume = [], stateful = false }
    ingress        = { security_group = "ingress", read = ["derivatives"], write = [], consume = [], stateful = false }
  }

  # Groups of the local topology that have no place in a cloud environment, and why.
  local_only_groups = {
    saas_standins = "it runs stand-ins for SaaS (Airtable, webhooks) that only the offline build machines need; cloud environments talk to the real services"
  }

  public_subdomains = concat(var.subdomains, var.public_airflow_ui ? ["airflow"] : [])
}

data "aws_region" "current" {}

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
  # Throw-away environments (the ones that may force_destroy) free the secret's name at once.
  secret_recovery_window_days = contains(["dev", "emulated"], var.environment) ? 0 : 30
}

module "compute" {
  source = "../compute"

  name_prefix                  = local.name_prefix
  tags                         = local.tags
  hosts                        = var.hosts
  subnet_ids                   = module.network.private_subnet_ids
  security_group_ids           = module.network.security_group_ids
  group_security_groups        = { for g, c in local.cloud_groups : g => c.security_group }
  ami_owner                    = var.ami_owner
  detailed_monitoring          = var.detailed_monitoring
  bucket_arns                  = module.storage.bucket_arns
  bucket_access                = { for g, c in local.cloud_groups : g => { read = c.read, write = c.write } }
  data_kms_key_arn             = module.storage.kms_key_arn
  queue_arns                   = { ingest = module.storage.ingest_queue_arn }
  queue_access                 = { for g, c in local.cloud_groups : g => c.consume }
  termination_protected_groups = var.termination_protection ? [for g, c in local.cloud_groups : g if c.stateful] : []
}

module "dns" {
  source = "../dns"

  name_prefix          = local.name_prefix
  tags                 = local.tags
  domain_name          = var.domain_name
  create_zone          = var.create_zone
  subdomains           = local.public_subdomains
  vpc_id               = module.network.vpc_id
  public_subnet_ids    = module.network.public_subnet_ids
  security_group_id    = module.network.security_group_ids["alb"]
  target_instance_ids  = { for name, id in module.compute.instance_ids : name => id if contains(module.compute.instance_groups[name], "ingress") }
  access_logs_bucket   = module.storage.logs_bucket_name
  deletion_protection  = var.deletion_protection
  wait_for_certificate = var.wait_for_certificate
}
