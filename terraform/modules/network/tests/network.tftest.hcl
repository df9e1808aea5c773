# Offline: every AWS call is answered by the mock provider.
mock_provider "aws" {
  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{}"
    }
  }
}

variables {
  name_prefix         = "cdaprod-test"
  tags                = { Project = "cdaprod", Environment = "dev" }
  vpc_cidr            = "10.10.0.0/16"
  azs                 = ["us-east-1a", "us-east-1b", "us-east-1c"]
  flow_log_bucket_arn = "arn:aws:s3:::cdaprod-test-logs"
}

run "subnets_nat_and_flow_logs" {
  command = apply

  assert {
    condition     = length(aws_subnet.public) == 3 && length(aws_subnet.private) == 3
    error_message = "One public and one private subnet per AZ expected."
  }

  assert {
    condition     = alltrue([for s in aws_subnet.public : s.map_public_ip_on_launch == false])
    error_message = "Public subnets must not hand out public IPs automatically."
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 3
    error_message = "One NAT gateway per AZ expected by default."
  }

  assert {
    condition     = aws_flow_log.this.traffic_type == "ALL" && aws_flow_log.this.log_destination == "arn:aws:s3:::cdaprod-test-logs"
    error_message = "Flow logs must capture all traffic into the logs bucket."
  }

  assert {
    condition     = aws_vpc_endpoint.s3.vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.s3.service_name == "com.amazonaws.us-east-1.s3"
    error_message = "An S3 gateway endpoint is expected."
  }

  assert {
    condition     = length(aws_default_security_group.this.ingress) == 0 && length(aws_default_security_group.this.egress) == 0
    error_message = "The default security group must allow nothing."
  }
}

run "only_https_on_the_load_balancer_faces_the_internet" {
  command = apply

  assert {
    condition     = [for k, r in aws_vpc_security_group_ingress_rule.this : k if r.cidr_ipv4 == "0.0.0.0/0" || r.cidr_ipv6 == "::/0"] == ["alb_https_internet"]
    error_message = "The only internet-facing ingress rule must be the load balancer's 443."
  }

  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.this["alb_https_internet"].security_group_id == aws_security_group.this["alb"].id &&
      aws_vpc_security_group_ingress_rule.this["alb_https_internet"].from_port == 443 &&
      aws_vpc_security_group_ingress_rule.this["alb_https_internet"].to_port == 443
    )
    error_message = "The internet rule must be 443 on the load balancer security group."
  }
}

run "each_group_is_reachable_only_from_its_callers" {
  command = apply

  assert {
    condition = toset([
      for r in aws_vpc_security_group_ingress_rule.this : r.referenced_security_group_id
      if r.security_group_id == aws_security_group.this["postgres"].id && r.from_port == 5432
      ]) == toset([
      aws_security_group.this["airflow_master"].id,
      aws_security_group.this["airflow_worker"].id,
      aws_security_group.this["ingress"].id,
      aws_security_group.this["video_archive"].id,
      aws_security_group.this["social_gateway"].id,
      aws_security_group.this["monitoring"].id,
    ])
    error_message = "PostgreSQL must be open only to Airflow hosts, the web tier, the video archive, the social gateway and the monitoring host's probe."
  }

  assert {
    condition = alltrue([
      for r in aws_vpc_security_group_ingress_rule.this : contains([5432, 9100, 9187, 9188, 9189], r.from_port)
      if r.security_group_id == aws_security_group.this["postgres"].id
    ])
    error_message = "The postgres group must serve only 5432, its node exporter and its PostgreSQL exporters."
  }

  assert {
    condition = toset([
      for r in aws_vpc_security_group_ingress_rule.this : r.referenced_security_group_id
      if r.security_group_id == aws_security_group.this["postgres"].id && contains([9187, 9188, 9189], r.from_port)
    ]) == toset([aws_security_group.this["monitoring"].id])
    error_message = "The PostgreSQL exporters must be open to the monitoring host only."
  }

  assert {
    condition = toset([
      for r in aws_vpc_security_group_ingress_rule.this : r.from_port
      if r.security_group_id == aws_security_group.this["weaviate"].id && r.from_port != 9100
    ]) == toset([8080, 50051])
    error_message = "The weaviate group must serve only 8080 and 50051."
  }

  assert {
    condition = toset([
      for r in aws_vpc_security_group_ingress_rule.this : r.referenced_security_group_id
      if r.security_group_id == aws_security_group.this["weaviate"].id && r.from_port != 9100
      ]) == toset([
      aws_security_group.this["airflow_worker"].id,
      aws_security_group.this["ingress"].id,
      aws_security_group.this["video_archive"].id,
    ])
    error_message = "Weaviate must be open only to workers, the web tier and the video archive (semantic search)."
  }

  assert {
    condition = toset([
      for r in aws_vpc_security_group_ingress_rule.this : r.referenced_security_group_id
      if r.security_group_id == aws_security_group.this["airflow_master"].id && r.from_port == 6379
      ]) == toset([
      aws_security_group.this["airflow_master"].id,
      aws_security_group.this["airflow_worker"].id,
      aws_security_group.this["monitoring"].id,
    ])
    error_message = "Redis must be open only to Airflow hosts and the monitoring host's Redis exporter."
  }

  assert {
    condition = toset([
      for r in aws_vpc_security_group_ingress_rule.this : "${r.from_port}:${r.referenced_security_group_id}"
      if r.security_group_id == aws_security_group.this["ingress"].id && r.from_port != 9100
    ]) == toset(["443:${aws_security_group.this["alb"].id}", "9113:${aws_security_group.this["monitoring"].id}"])
    error_message = "The ingress hosts must be reachable only from the load balancer (443) and the monitoring host (its nginx exporter, 9113)."
  }

  assert {
    condition = toset([
      for r in aws_vpc_security_group_ingress_rule.this : "${r.from_port}:${r.referenced_security_group_id}"
      if r.security_group_id == aws_security_group.this["video_archive"].id && r.from_port != 9100
      ]) == toset([
      "8700:${aws_security_group.this["ingress"].id}",
      "8501:${aws_security_group.this["ingress"].id}",
      "8700:${aws_security_group.this["video_archive"].id}",
    ])
    error_message = "The video archive's hosts must serve only the archive (8700) to the ingress and the archive app, and the app (8501) to the ingress."
  }

  assert {
    condition = toset([
      for r in aws_vpc_security_group_ingress_rule.this : "${r.from_port}:${r.referenced_security_group_id}"
      if r.security_group_id == aws_security_group.this["social_gateway"].id && r.from_port != 9100
      ]) == toset([
      "8710:${aws_security_group.this["ingress"].id}",
      "8710:${aws_security_group.this["airflow_worker"].id}",
    ])
    error_message = "The social gateway must serve only 8710, to the ingress and the workers."
  }

  assert {
    condition     = toset(keys(aws_security_group.this)) == toset(["alb", "postgres", "weaviate", "airflow_master", "airflow_worker", "video_archive", "social_gateway", "ingress", "monitoring"])
    error_message = "One security group per host group's role on the network, plus the load balancer."
  }

  assert {
    condition     = alltrue([for g in ["video_archive", "social_gateway"] : contains(keys(aws_vpc_security_group_egress_rule.hosts), "${g}_https")])
    error_message = "The new groups get the same egress as every host group."
  }

  assert {
    condition = toset([
      for k, r in aws_vpc_security_group_egress_rule.hosts : k if r.from_port == 587
    ]) == toset(["monitoring_smtp", "airflow_worker_smtp"])
    error_message = "Only the monitoring host and the workers send e-mail (SMTP submission, 587)."
  }

  assert {
    condition = alltrue([
      for g in keys(aws_security_group.this) : toset([
        for r in aws_vpc_security_group_ingress_rule.this : r.referenced_security_group_id
        if r.security_group_id == aws_security_group.this[g].id && r.from_port == 9100
      ]) == toset([aws_security_group.this["monitoring"].id]) if g != "alb"
      ]) && length([
      for r in aws_vpc_security_group_ingress_rule.this : r
      if r.security_group_id == aws_security_group.this["alb"].id && r.from_port == 9100
    ]) == 0
    error_message = "Every host group's node exporter (9100) must be open to the monitoring host only, and the load balancer has none."
  }

  assert {
    condition = toset([
      for r in aws_vpc_security_group_ingress_rule.this : r.referenced_security_group_id
      if r.from_port == 19532
      ]) == toset([
      for g, sg in aws_security_group.this : sg.id if !contains(["alb", "monitoring"], g)
      ]) && alltrue([
      for r in aws_vpc_security_group_ingress_rule.this : r.security_group_id == aws_security_group.this["monitoring"].id
      if r.from_port == 19532
    ])
    error_message = "Journal uploads (19532) must reach only the monitoring host, from every other host group."
  }

  assert {
    condition = toset([
      for r in aws_vpc_security_group_ingress_rule.this : "${r.from_port}:${r.referenced_security_group_id}"
      if r.security_group_id == aws_security_group.this["monitoring"].id && !contains([9100, 19532], r.from_port)
      ]) == toset([
      "9090:${aws_security_group.this["ingress"].id}",
      "9090:${aws_security_group.this["airflow_master"].id}",
      "9093:${aws_security_group.this["ingress"].id}",
    ])
    error_message = "Prometheus (9090) must be open only to the ingress and the master (its worker scaler), Alertmanager (9093) only to the ingress; the monitoring host serves nothing else but its node exporter and the journal uploads."
  }
}

run "single_nat_gateway" {
  command = apply

  variables {
    single_nat_gateway = true
    azs                = ["us-east-1a", "us-east-1b"]
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && length(aws_route.private_nat) == 2
    error_message = "single_nat_gateway must create one NAT gateway routing both private subnets."
  }
}

run "http_redirect_is_opt_in" {
  command = plan

  variables {
    http_redirect_from_internet = true
  }

  assert {
    condition     = toset([for k, r in aws_vpc_security_group_ingress_rule.this : r.from_port if r.cidr_ipv4 == "0.0.0.0/0"]) == toset([80, 443])
    error_message = "With the redirect enabled only 80 and 443 face the internet."
  }
}

run "cloudwatch_flow_logs" {
  command = plan

  variables {
    flow_log_destination_type = "cloud-watch-logs"
    flow_log_bucket_arn       = null
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.flow_logs) == 1 && length(aws_iam_role.flow_logs) == 1
    error_message = "CloudWatch flow logs need a log group and a delivery role."
  }
}

run "rejects_a_wrong_cidr" {
  command = plan

  variables {
    vpc_cidr = "10.10.0.1/33"
  }

  expect_failures = [var.vpc_cidr]
}

run "rejects_a_host_address_as_cidr" {
  command = plan

  variables {
    vpc_cidr = "10.10.3.0/16"
  }

  expect_failures = [var.vpc_cidr]
}

run "rejects_a_single_az" {
  command = plan

  variables {
    azs = ["us-east-1a"]
  }

  expect_failures = [var.azs]
}

run "s3_flow_logs_need_a_bucket" {
  command = plan

  variables {
    flow_log_bucket_arn = null
  }

  expect_failures = [aws_flow_log.this]
}
