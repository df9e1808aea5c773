################################################################################
# VPC flow logs (to S3 or CloudWatch Logs)
################################################################################

locals {
  flow_logs_to_cloudwatch = var.flow_log_destination_type == "cloud-watch-logs"
}

resource "aws_flow_log" "this" {
  vpc_id               = aws_vpc.this.id
  traffic_type         = "ALL"
  log_destination_type = var.flow_log_destination_type
  log_destination      = local.flow_logs_to_cloudwatch ? aws_cloudwatch_log_group.flow_logs[0].arn : var.flow_log_bucket_arn
  iam_role_arn         = local.flow_logs_to_cloudwatch ? aws_iam_role.flow_logs[0].arn : null

  tags = merge(var.tags, { Name = var.name_prefix })

  lifecycle {
    precondition {
      condition     = local.flow_logs_to_cloudwatch || var.flow_log_bucket_arn != null
      error_message = "flow_log_bucket_arn is required when flow_log_destination_type is \"s3\"."
    }
  }
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  count = local.flow_logs_to_cloudwatch ? 1 : 0

  name              = "/vpc/${var.name_prefix}/flow-logs"
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = var.flow_log_kms_key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "flow_logs_assume" {
  count = local.flow_logs_to_cloudwatch ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "flow_logs" {
  count = local.flow_logs_to_cloudwatch ? 1 : 0

  statement {
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogStreams",
    ]
    resources = ["${aws_cloudwatch_log_group.flow_logs[0].arn}:*"]
  }
}

resource "aws_iam_role" "flow_logs" {
  count = local.flow_logs_to_cloudwatch ? 1 : 0

  name               = "${var.name_prefix}-flow-logs"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "flow_logs" {
  count = local.flow_logs_to_cloudwatch ? 1 : 0

  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs[0].id
  policy = data.aws_iam_policy_document.flow_logs[0].json
}
