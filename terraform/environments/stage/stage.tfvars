environment         = "stage"
region              = "us-east-1"
vpc_cidr            = "10.20.0.0/16"
azs                 = ["us-east-1a", "us-east-1b", "us-east-1c"]
single_nat_gateway  = true
domain_name         = "stage.cdaprod.dev"
deletion_protection = true
