environment         = "stage"
region              = "us-east-1"
vpc_cidr            = "10.20.0.0/16"
azs                 = ["us-east-1a", "us-east-1b", "us-east-1c"]
single_nat_gateway  = true
domain_name         = "stage.cdaprod.dev"
deletion_protection = true

# One host kind per concern, as in prod, at smaller sizes. Workers: a group per queue, scratch
# on the root volume; cpu keeps one on-demand worker and buys spot above it.
hosts = {
  postgres = { groups = ["postgres"], instance_type = "m6i.large", data_volume_size = 100 }
  weaviate = { groups = ["weaviate"], instance_type = "r6i.large", data_volume_size = 100 }
  master   = { groups = ["airflow_master"], instance_type = "m6i.large" }
  worker-cpu = {
    groups           = ["airflow_worker", "worker_cpu"]
    instance_type    = "c6i.xlarge"
    root_volume_size = 150
    autoscale = {
      queue                = "cpu"
      min_size             = 1
      max_size             = 4
      desired_capacity     = 2
      extra_instance_types = ["c6a.xlarge", "c5.xlarge"]
      spot                 = { on_demand_base = 1, on_demand_above_base_percent = 0 }
    }
  }
  worker-gpu = {
    groups           = ["airflow_worker", "worker_gpu"]
    instance_type    = "g5.xlarge"
    gpu              = true
    root_volume_size = 150
    autoscale        = { queue = "gpu", min_size = 0, max_size = 1 }
  }
  archive    = { groups = ["video_archive", "archive_app"], instance_type = "t3.large" }
  social     = { groups = ["social_gateway"], instance_type = "t3.medium" }
  ingress    = { groups = ["ingress"], instance_type = "t3.medium" }
  monitoring = { groups = ["monitoring"], instance_type = "t3.medium" }
}

# CloudWatch alarms (EC2 status checks, load balancer 5xx, the monitoring host) by e-mail;
# each address confirms once. Prometheus's alerts go to platform_alert_email_to instead.
alarm_email_addresses = ["platform-alerts@cdaprod.dev"]
