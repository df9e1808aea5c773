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

  # The host groups a cloud environment knows (ARCHITECTURE.md): the one list. Every group in
  # `hosts` must be on it; the local topology's other groups are in local_only_groups.
  known_groups = ["postgres", "weaviate", "airflow_master", "airflow_worker", "worker_cpu", "worker_gpu", "video_archive", "archive_app", "social_gateway", "ingress", "monitoring"]

  # What a known group brings to its hosts; a host kind gets the union over its groups.
  # - its network security group: the one of its own name, unless mapped here;
  group_security_group = {
    worker_cpu  = "airflow_worker"
    worker_gpu  = "airflow_worker"
    archive_app = "video_archive"
  }
  # - least privilege on the buckets (by purpose): groups not listed get none;
  bucket_access = {
    postgres       = { read = [], write = ["backups"] }
    weaviate       = { read = [], write = ["backups"] }
    airflow_master = { read = ["raw"], write = ["notebooks"] }
    worker_cpu     = { read = ["raw", "bundles"], write = ["derivatives", "notebooks"] }
    worker_gpu     = { read = ["raw", "bundles"], write = ["derivatives", "notebooks"] }
    video_archive  = { read = ["raw", "derivatives"], write = [] }
    social_gateway = { read = ["derivatives"], write = [] }
    ingress        = { read = ["derivatives"], write = [] }
  }
  # - the queues it consumes: the ingest DAG's SQS sensor runs on the cpu queue's workers;
  queue_access = {
    worker_cpu = ["ingest"]
  }
  # - termination protection, for the groups whose data lives on the host;
  stateful_groups = ["postgres", "weaviate"]
  # - listing the instances, for the group that finds its scrape targets by their tags;
  discovery_groups = ["monitoring"]
  # - scaling the worker groups, for the group whose host runs the worker scaler.
  scaler_groups = ["airflow_master"]

  # Where autoscaled workers find the manifest of their configuration bundle (bundles bucket).
  bundle_manifest_key = "worker/current.json"

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
  # moto evaluates only StringEquals conditions and takes any other as met, so a TLS-only
  # Deny there denies every object read and write. Everywhere else the buckets are TLS-only.
  deny_insecure_transport = var.environment != "emulated"
}

module "compute" {
  source = "../compute"

  name_prefix                  = local.name_prefix
  tags                         = local.tags
  hosts                        = var.hosts
  subnet_ids                   = module.network.private_subnet_ids
  security_group_ids           = module.network.security_group_ids
  group_security_groups        = { for g in local.known_groups : g => lookup(local.group_security_group, g, g) }
  ami_owner                    = var.ami_owner
  detailed_monitoring          = var.detailed_monitoring
  bucket_arns                  = module.storage.bucket_arns
  bucket_access                = local.bucket_access
  data_kms_key_arn             = module.storage.kms_key_arn
  queue_arns                   = { ingest = module.storage.ingest_queue_arn }
  queue_access                 = local.queue_access
  termination_protected_groups = var.termination_protection ? local.stateful_groups : []
  discovery_groups             = local.discovery_groups
  scaler_groups                = local.scaler_groups
  worker_bundle_bucket         = module.storage.bucket_names["bundles"]
  worker_bundle_manifest_key   = local.bundle_manifest_key
  # The workers' share of the platform secrets: all an autoscaled worker may read.
  secrets_id = module.storage.worker_secret_arn
  # moto keeps the launch template's own tags in its data and drops the warm-up: left out
  # there, so the emulated re-plan stays clean.
  worker_groups_for_moto = var.environment == "emulated"
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

# Status-check alarms watch the fixed hosts; a worker group replaces an unhealthy instance itself.
module "alarms" {
  source = "../alarms"

  name_prefix              = local.name_prefix
  tags                     = local.tags
  instance_ids             = module.compute.instance_ids
  watcher_hosts            = [for name, groups in module.compute.instance_groups : name if length(setintersection(groups, local.discovery_groups)) > 0]
  load_balancer_arn_suffix = module.dns.lb_arn_suffix
  target_group_arn_suffix  = module.dns.target_group_arn_suffix
  kms_key_arn              = module.storage.kms_key_arn
  email_addresses          = var.alarm_email_addresses
}
