environment         = "prod"
region              = "us-east-1"
vpc_cidr            = "10.30.0.0/16"
azs                 = ["us-east-1a", "us-east-1b", "us-east-1c"]
single_nat_gateway  = false
domain_name         = "cdaprod.dev"
deletion_protection = true

# One host kind per concern; the stateful ones (postgres, weaviate) keep termination protection.
# Workers: a group per queue, scratch on the root volume. cpu keeps one on-demand worker and
# buys spot above it across three types; gpu runs on demand, only while its queue has work.
hosts = {
  postgres = { groups = ["postgres"], instance_type = "m6i.xlarge", root_volume_size = 40, data_volume_size = 500 }
  weaviate = { groups = ["weaviate"], instance_type = "r6i.xlarge", data_volume_size = 500 }
  master   = { groups = ["airflow_master"], instance_type = "m6i.large" }
  worker-cpu = {
    groups           = ["airflow_worker", "worker_cpu"]
    instance_type    = "c6i.2xlarge"
    root_volume_size = 200
    autoscale = {
      queue                = "cpu"
      min_size             = 1
      max_size             = 6
      desired_capacity     = 3
      extra_instance_types = ["c6a.2xlarge", "c5.2xlarge"]
      spot                 = { on_demand_base = 1, on_demand_above_base_percent = 0 }
    }
  }
  worker-gpu = {
    groups           = ["airflow_worker", "worker_gpu"]
    instance_type    = "g5.2xlarge"
    gpu              = true
    root_volume_size = 200
    autoscale        = { queue = "gpu", min_size = 0, max_size = 2, extra_instance_types = ["g6.2xlarge"] }
  }
  archive    = { groups = ["video_archive", "archive_app"], instance_type = "m6i.large" }
  social     = { groups = ["social_gateway"], instance_type = "t3.large" }
  ingress    = { count = 2, groups = ["ingress"], instance_type = "m6i.large" }
  monitoring = { groups = ["monitoring"], instance_type = "m6i.large" }
}

# CloudWatch alarms (EC2 status checks, load balancer 5xx, the monitoring host) by e-mail;
# each address confirms once. Prometheus's alerts go to platform_alert_email_to instead.
alarm_email_addresses = ["platform-alerts@cdaprod.dev"]
