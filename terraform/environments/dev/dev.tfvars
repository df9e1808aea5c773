environment         = "dev"
region              = "us-east-1"
vpc_cidr            = "10.10.0.0/16"
azs                 = ["us-east-1a", "us-east-1b"]
single_nat_gateway  = true
domain_name         = "dev.cdaprod.dev"
deletion_protection = false
force_destroy       = true

# Small: several groups on each host (ARCHITECTURE.md: the group set stays the same), but the
# monitoring host stands apart, so that it does not go down with what it watches. The workers
# are a group per queue (scratch on the root volume): one cpu worker at least, gpu only when
# its queue has work.
hosts = {
  data       = { groups = ["postgres", "weaviate"], instance_type = "r6i.large", data_volume_size = 50 }
  master     = { groups = ["airflow_master", "video_archive", "archive_app", "social_gateway", "ingress"], instance_type = "t3.large" }
  worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", root_volume_size = 100, autoscale = { queue = "cpu", min_size = 1, max_size = 2 } }
  worker-gpu = { groups = ["airflow_worker", "worker_gpu"], instance_type = "g5.xlarge", gpu = true, root_volume_size = 100, autoscale = { queue = "gpu", min_size = 0, max_size = 1 } }
  monitoring = { groups = ["monitoring"], instance_type = "t3.medium" }
}

# CloudWatch alarms (EC2 status checks, load balancer 5xx, the monitoring host) by e-mail;
# each address confirms once. Prometheus's alerts go to platform_alert_email_to instead.
alarm_email_addresses = ["platform-alerts@cdaprod.dev"]
