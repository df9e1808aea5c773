################################################################################
# Instance roles, one per host kind: SSM core for every kind; S3 and SQS only as the union of
# the grants of the kind's groups (bucket_access, queue_access)
################################################################################

data "aws_partition" "current" {}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.kinds

  name               = "${var.name_prefix}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  tags = merge(var.tags, { Kind = each.key, Groups = join(" ", each.value.groups) })
}

resource "aws_iam_role_policy_attachment" "ssm_core" {
  for_each = local.kinds

  role       = aws_iam_role.this[each.key].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "this" {
  for_each = local.kinds

  name = "${var.name_prefix}-${each.key}"
  role = aws_iam_role.this[each.key].name

  tags = merge(var.tags, { Kind = each.key })

  lifecycle {
    # The same check as aws_instance.this's, for the kinds whose launch template takes the
    # security groups instead (a worker group's module input cannot carry a precondition).
    precondition {
      condition     = each.value.autoscale == null || alltrue([for sg in local.kind_access[each.key].security_groups : contains(keys(var.security_group_ids), sg)])
      error_message = "Host kind ${each.key}: no security group for ${join(", ", [for sg in local.kind_access[each.key].security_groups : sg if !contains(keys(var.security_group_ids), sg)])} in security_group_ids (map the group with group_security_groups or add its security group)."
    }
  }
}

locals {
  s3_kinds  = { for k, a in local.kind_access : k => a if length(a.read) + length(a.write) > 0 }
  sqs_kinds = { for k, a in local.kind_access : k => a if length(a.consume) > 0 }
  ec2_kinds = { for k, a in local.kind_access : k => a if a.discovers }
}

data "aws_iam_policy_document" "s3" {
  for_each = local.s3_kinds

  statement {
    sid       = "ListGrantedBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [for p in distinct(concat(each.value.read, each.value.write)) : var.bucket_arns[p]]
  }

  dynamic "statement" {
    for_each = length(each.value.read) > 0 ? [1] : []
    content {
      sid       = "ReadObjects"
      actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging"]
      resources = [for p in each.value.read : "${var.bucket_arns[p]}/*"]
    }
  }

  dynamic "statement" {
    for_each = length(each.value.write) > 0 ? [1] : []
    content {
      sid       = "WriteObjects"
      actions   = ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"]
      resources = [for p in each.value.write : "${var.bucket_arns[p]}/*"]
    }
  }

  dynamic "statement" {
    for_each = var.data_kms_key_arn == null ? [] : [1]
    content {
      sid       = "UseDataKey"
      actions   = length(each.value.write) > 0 ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"]
      resources = [var.data_kms_key_arn]
    }
  }
}

resource "aws_iam_role_policy" "s3" {
  for_each = local.s3_kinds

  name   = "s3-access"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.s3[each.key].json
}

data "aws_iam_policy_document" "sqs" {
  for_each = local.sqs_kinds

  statement {
    sid = "ConsumeQueues"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
    ]
    resources = [for q in each.value.consume : var.queue_arns[q]]
  }

  dynamic "statement" {
    for_each = var.data_kms_key_arn == null ? [] : [1]
    content {
      sid       = "DecryptMessages"
      actions   = ["kms:Decrypt"]
      resources = [var.data_kms_key_arn]
    }
  }
}

resource "aws_iam_role_policy" "sqs" {
  for_each = local.sqs_kinds

  name   = "sqs-consume"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.sqs[each.key].json
}

# Prometheus's EC2 service discovery: read-only, and EC2 scopes neither call to resources.
data "aws_iam_policy_document" "ec2_discovery" {
  count = length(local.ec2_kinds) > 0 ? 1 : 0

  statement {
    sid       = "DiscoverInstances"
    actions   = ["ec2:DescribeInstances", "ec2:DescribeAvailabilityZones"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "ec2_discovery" {
  for_each = local.ec2_kinds

  name   = "ec2-discovery"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.ec2_discovery[0].json
}

################################################################################
# Autoscaled workers: each reads its secret (secrets_id) at boot and answers its own group's
# lifecycle hook; the scaler (on the scaler_groups' hosts) sets the groups' desired capacity
################################################################################

locals {
  scaler_kinds = length(local.worker_groups) == 0 ? {} : {
    for k, a in local.kind_access : k => a if length(setintersection(a.groups, var.scaler_groups)) > 0
  }
}

data "aws_iam_policy_document" "worker" {
  for_each = local.worker_groups

  statement {
    sid       = "ReadSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.secrets_id]
  }

  dynamic "statement" {
    for_each = var.data_kms_key_arn == null ? [] : [1]
    content {
      sid       = "DecryptSecret"
      actions   = ["kms:Decrypt"]
      resources = [var.data_kms_key_arn]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${data.aws_region.current.name}.amazonaws.com"]
      }
    }
  }

  statement {
    sid = "AnswerOwnLifecycleHook"
    actions = [
      "autoscaling:CompleteLifecycleAction",
      "autoscaling:RecordLifecycleActionHeartbeat",
      "autoscaling:SetInstanceHealth",
    ]
    resources = ["${local.worker_group_arn_prefix}/${each.value.name}"]
  }
}

resource "aws_iam_role_policy" "worker" {
  for_each = local.worker_groups

  name   = "worker-boot"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.worker[each.key].json
}

data "aws_iam_policy_document" "scaler" {
  count = length(local.scaler_kinds) > 0 ? 1 : 0

  statement {
    sid       = "ScaleWorkerGroups"
    actions   = ["autoscaling:SetDesiredCapacity"]
    resources = [for g in values(local.worker_groups) : "${local.worker_group_arn_prefix}/${g.name}"]
  }

  # Describe calls take no resource scope.
  statement {
    sid       = "DescribeWorkerGroups"
    actions   = ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances"]
    resources = ["*"]
  }

  # PutMetricData takes no resource scope either; the namespace is its only bound.
  statement {
    sid       = "PublishWorkerMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Cdaprod/Workers"]
    }
  }
}

resource "aws_iam_role_policy" "scaler" {
  for_each = local.scaler_kinds

  name   = "worker-scaler"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.scaler[0].json
}
