environment         = "prod"
region              = "us-east-1"
vpc_cidr            = "10.30.0.0/16"
azs                 = ["us-east-1a", "us-east-1b", "us-east-1c"]
single_nat_gateway  = false
domain_name         = "cdaprod.dev"
deletion_protection = true

groups = {
  postgres       = { count = 1, instance_type = "m6i.xlarge", root_volume_size = 40, data_volume_size = 500, security_group = "postgres" }
  weaviate       = { count = 1, instance_type = "r6i.xlarge", data_volume_size = 500, security_group = "weaviate" }
  airflow_master = { count = 1, instance_type = "m6i.large", security_group = "airflow_master" }
  worker_cpu     = { count = 3, instance_type = "c6i.2xlarge", data_volume_size = 500, security_group = "airflow_worker" }
  worker_gpu     = { count = 2, instance_type = "g5.2xlarge", gpu = true, root_volume_size = 80, data_volume_size = 500, security_group = "airflow_worker" }
  ingress        = { count = 2, instance_type = "m6i.large", security_group = "ingress" }
}
