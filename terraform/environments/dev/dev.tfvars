environment         = "dev"
region              = "us-east-1"
vpc_cidr            = "10.10.0.0/16"
azs                 = ["us-east-1a", "us-east-1b"]
single_nat_gateway  = true
domain_name         = "dev.cdaprod.dev"
deletion_protection = false
force_destroy       = true

groups = {
  postgres       = { count = 1, instance_type = "t3.large", data_volume_size = 50, security_group = "postgres" }
  weaviate       = { count = 1, instance_type = "r6i.large", data_volume_size = 50, security_group = "weaviate" }
  airflow_master = { count = 1, instance_type = "t3.large", security_group = "airflow_master" }
  worker_cpu     = { count = 1, instance_type = "c6i.xlarge", data_volume_size = 100, security_group = "airflow_worker" }
  worker_gpu     = { count = 1, instance_type = "g5.xlarge", gpu = true, root_volume_size = 60, data_volume_size = 100, security_group = "airflow_worker" }
  ingress        = { count = 1, instance_type = "t3.medium", security_group = "ingress" }
}
