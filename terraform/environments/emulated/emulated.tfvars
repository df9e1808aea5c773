# The platform applied against moto on 127.0.0.1 (see platformctl/terraform.py), lean: two
# fixed hosts and a worker group per queue (one cpu worker, gpu empty until scaled), no
# weaviate (its binary is in no registry these machines reach; the embedded index in the
# derivatives bucket stands in).
environment         = "emulated"
region              = "us-east-1"
vpc_cidr            = "10.90.0.0/16" # clear of podman (10.88.0.0/16, 10.89.x.0/24) and the uplink (192.0.2.0/24)
azs                 = ["us-east-1a", "us-east-1b"]
single_nat_gateway  = false
domain_name         = "emulated.cdaprod.dev"
deletion_protection = false
force_destroy       = true
# Throw-away hosts. moto also ignores DisableApiTermination on RunInstances (only
# ModifyInstanceAttribute sets it), so `true` here would leave a dirty re-plan.
termination_protection = false
# moto does not implement MonitorInstances; AWS environments keep the default (true).
detailed_monitoring = false

# The cpu group stops at 2: each worker is a host that configures itself on these 2 cores,
# and a burst (the scale-out test's probes with the S3 event sensor's and other runs' tasks
# beside them) may ask for more than the one extra worker the test checks for.
hosts = {
  db         = { groups = ["postgres"], instance_type = "t3.large", data_volume_size = 50 }
  master     = { groups = ["airflow_master", "video_archive", "archive_app", "social_gateway", "ingress", "monitoring"], instance_type = "t3.large" }
  worker-cpu = { groups = ["airflow_worker", "worker_cpu"], instance_type = "c6i.xlarge", root_volume_size = 40, autoscale = { queue = "cpu", min_size = 1, max_size = 2 } }
  worker-gpu = { groups = ["airflow_worker", "worker_gpu"], instance_type = "g5.xlarge", gpu = true, root_volume_size = 60, autoscale = { queue = "gpu", min_size = 0, max_size = 1 } }
}
