module "platform" {
  source = "../../modules/platform"

  environment         = var.environment
  vpc_cidr            = var.vpc_cidr
  azs                 = var.azs
  single_nat_gateway  = var.single_nat_gateway
  groups              = var.groups
  domain_name         = var.domain_name
  create_zone         = var.create_zone
  bucket_suffix       = var.bucket_suffix
  deletion_protection = var.deletion_protection
  force_destroy       = var.force_destroy
  detailed_monitoring = var.detailed_monitoring
}
