################################################################################
# Security groups: one per host group, plus the load balancer.
# Each group admits only the ports it serves, and only from the groups that call it.
################################################################################

locals {
  host_groups = ["postgres", "weaviate", "airflow_master", "airflow_worker", "video_archive", "social_gateway", "ingress", "monitoring"]

  # key => { group that serves, port, calling group (or null + cidr for the internet) }
  ingress_rules = merge(
    {
      alb_https_internet = { group = "alb", port = 443, source = null, cidr = "0.0.0.0/0", description = "HTTPS from the internet" }
      ingress_https_alb  = { group = "ingress", port = 443, source = "alb", cidr = null, description = "nginx TLS from the load balancer" }

      postgres_airflow_master = { group = "postgres", port = 5432, source = "airflow_master", cidr = null, description = "PostgreSQL from Airflow master" }
      postgres_airflow_worker = { group = "postgres", port = 5432, source = "airflow_worker", cidr = null, description = "PostgreSQL from Airflow workers" }
      postgres_ingress        = { group = "postgres", port = 5432, source = "ingress", cidr = null, description = "PostgreSQL from the web tier" }
      postgres_video_archive  = { group = "postgres", port = 5432, source = "video_archive", cidr = null, description = "PostgreSQL (the archive catalog) from the video archive" }
      postgres_social_gateway = { group = "postgres", port = 5432, source = "social_gateway", cidr = null, description = "PostgreSQL from the social gateway" }

      weaviate_http_airflow_worker = { group = "weaviate", port = 8080, source = "airflow_worker", cidr = null, description = "Weaviate REST from workers" }
      weaviate_grpc_airflow_worker = { group = "weaviate", port = 50051, source = "airflow_worker", cidr = null, description = "Weaviate gRPC from workers" }
      weaviate_http_ingress        = { group = "weaviate", port = 8080, source = "ingress", cidr = null, description = "Weaviate REST from the web tier" }
      weaviate_grpc_ingress        = { group = "weaviate", port = 50051, source = "ingress", cidr = null, description = "Weaviate gRPC from the web tier" }
      weaviate_http_video_archive  = { group = "weaviate", port = 8080, source = "video_archive", cidr = null, description = "Weaviate REST from the video archive (semantic search)" }
      weaviate_grpc_video_archive  = { group = "weaviate", port = 50051, source = "video_archive", cidr = null, description = "Weaviate gRPC from the video archive (semantic search)" }

      redis_airflow_master = { group = "airflow_master", port = var.redis_port, source = "airflow_master", cidr = null, description = "Redis broker from Airflow master" }
      redis_airflow_worker = { group = "airflow_master", port = var.redis_port, source = "airflow_worker", cidr = null, description = "Redis broker from Airflow workers" }
      redis_monitoring     = { group = "airflow_master", port = var.redis_port, source = "monitoring", cidr = null, description = "Redis statistics (its exporter) from the monitoring host" }
      api_airflow_worker   = { group = "airflow_master", port = 8080, source = "airflow_worker", cidr = null, description = "Airflow execution API from workers" }
      api_ingress          = { group = "airflow_master", port = 8080, source = "ingress", cidr = null, description = "Airflow UI/API from the web tier" }
      api_archive_app      = { group = "airflow_master", port = 8080, source = "video_archive", cidr = null, description = "Airflow API from the archive app (agent runs)" }

      worker_logs_airflow_master = { group = "airflow_worker", port = 8793, source = "airflow_master", cidr = null, description = "Worker log server from Airflow master" }

      video_archive_ingress = { group = "video_archive", port = var.video_archive_port, source = "ingress", cidr = null, description = "Video archive web service from the TLS ingress" }
      # The archive app runs on the video_archive group's hosts (its security group) and asks
      # the archive's API; the ingress checks people with the archive before proxying to it.
      archive_app_ingress       = { group = "video_archive", port = var.archive_app_port, source = "ingress", cidr = null, description = "Archive app (Streamlit) from the TLS ingress" }
      video_archive_archive_app = { group = "video_archive", port = var.video_archive_port, source = "video_archive", cidr = null, description = "Video archive API from the archive app" }

      social_gateway_ingress        = { group = "social_gateway", port = var.social_gateway_port, source = "ingress", cidr = null, description = "Social gateway API from the TLS ingress" }
      social_gateway_airflow_worker = { group = "social_gateway", port = var.social_gateway_port, source = "airflow_worker", cidr = null, description = "Social gateway API from the workers (publishing tasks)" }

      postgres_monitoring = { group = "postgres", port = 5432, source = "monitoring", cidr = null, description = "PostgreSQL probe from the monitoring host" }
      # PostgreSQL's exporters: the server's metrics, Airflow's and the catalog's figures.
      postgres_exporter_monitoring         = { group = "postgres", port = 9187, source = "monitoring", cidr = null, description = "PostgreSQL exporter from the monitoring host" }
      postgres_exporter_airflow_monitoring = { group = "postgres", port = 9188, source = "monitoring", cidr = null, description = "Airflow metadata figures from the monitoring host" }
      postgres_exporter_archive_monitoring = { group = "postgres", port = 9189, source = "monitoring", cidr = null, description = "Archive catalog figures from the monitoring host" }
      prometheus_ingress                   = { group = "monitoring", port = 9090, source = "ingress", cidr = null, description = "Prometheus UI/API from the TLS ingress" }
      # The master's worker scaler reads the queues' figures (airflow_queue_tasks).
      prometheus_airflow_master = { group = "monitoring", port = 9090, source = "airflow_master", cidr = null, description = "Prometheus API from the master's worker scaler" }
      alertmanager_ingress      = { group = "monitoring", port = 9093, source = "ingress", cidr = null, description = "Alertmanager UI/API from the TLS ingress" }
      nginx_exporter_monitoring = { group = "ingress", port = 9113, source = "monitoring", cidr = null, description = "nginx exporter from the monitoring host" }
    },
    # Every host's node exporter, scraped by Prometheus on the monitoring host.
    { for g in local.host_groups : "node_exporter_${g}" => { group = g, port = 9100, source = "monitoring", cidr = null, description = "Node exporter from the monitoring host" } },
    # Every other host's journal, uploaded to the monitoring host (TLS with a client certificate).
    { for g in local.host_groups : "journal_${g}" => { group = "monitoring", port = 19532, source = g, cidr = null, description = "Journal uploads from ${g} hosts" } if g != "monitoring" },
    var.http_redirect_from_internet ? {
      alb_http_internet = { group = "alb", port = 80, source = null, cidr = "0.0.0.0/0", description = "HTTP from the internet (redirected to HTTPS)" }
    } : {}
  )

  # Hosts reach package mirrors, SSM and S3 over 80/443, and each other inside the VPC.
  host_egress_rules = merge(
    { for g in local.host_groups : "${g}_https" => { group = g, port = 443, protocol = "tcp", cidr = "0.0.0.0/0", description = "HTTPS out (SSM, S3, package mirrors)" } },
    { for g in local.host_groups : "${g}_http" => { group = g, port = 80, protocol = "tcp", cidr = "0.0.0.0/0", description = "HTTP out (Debian mirrors)" } },
    { for g in local.host_groups : "${g}_vpc" => { group = g, port = null, protocol = "-1", cidr = var.vpc_cidr, description = "Anything inside the VPC" } },
    # E-mail to the environment's SMTP server (STARTTLS): Alertmanager's alerts, and Airflow's
    # e-mail about a failed task, sent by the worker that ran it.
    { for g in ["monitoring", "airflow_worker"] : "${g}_smtp" => { group = g, port = 587, protocol = "tcp", cidr = "0.0.0.0/0", description = "SMTP submission out (alert and failed-task e-mail)" } if contains(local.host_groups, g) },
  )
}

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5: Attached outside this module (instances in compute, the ALB in dns) through the security_group_ids output; checkov cannot follow module outputs.
  for_each = toset(concat(["alb"], local.host_groups))

  name        = "${var.name_prefix}-${each.key}"
  description = "${var.name_prefix} ${each.key} hosts"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-${each.key}", Role = each.key })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  #checkov:skip=CKV_AWS_23: The rule's purpose is in its Purpose tag; moto drops descriptions of group-referencing rules, which would make every emulated re-plan dirty.
  for_each = local.ingress_rules

  security_group_id            = aws_security_group.this[each.value.group].id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  referenced_security_group_id = each.value.source == null ? null : aws_security_group.this[each.value.source].id
  cidr_ipv4                    = each.value.cidr

  # The purpose lives in a tag: moto drops descriptions of group-referencing rules, which
  # would make every emulated re-plan dirty.
  tags = merge(var.tags, { Name = "${var.name_prefix}-${each.key}", Purpose = each.value.description })
}

resource "aws_vpc_security_group_egress_rule" "alb_to_ingress" {
  #checkov:skip=CKV_AWS_23: The rule's purpose is in its Purpose tag; moto drops descriptions of group-referencing rules, which would make every emulated re-plan dirty.
  security_group_id            = aws_security_group.this["alb"].id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.this["ingress"].id

  tags = merge(var.tags, { Name = "${var.name_prefix}-alb-to-ingress", Purpose = "HTTPS to the ingress hosts" })
}

resource "aws_vpc_security_group_egress_rule" "hosts" {
  #checkov:skip=CKV_AWS_23: The rule's purpose is in its Purpose tag; moto drops descriptions of group-referencing rules, which would make every emulated re-plan dirty.
  for_each = local.host_egress_rules

  security_group_id = aws_security_group.this[each.value.group].id
  ip_protocol       = each.value.protocol
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr

  tags = merge(var.tags, { Name = "${var.name_prefix}-${each.key}-egress", Purpose = each.value.description })
}
