################################################################################
# Instance roles: SSM core for every group; S3 only as bucket_access grants
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
  for_each = var.groups

  name               = "${var.name_prefix}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  tags = merge(var.tags, { Role = each.key })
}

resource "aws_iam_role_policy_attachment" "ssm_core" {
  for_each = var.groups

  role       = aws_iam_role.this[each.key].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

locals {
  s3_groups  = { for k, a in var.bucket_access : k => a if contains(keys(var.groups), k) && length(concat(a.read, a.write)) > 0 }
  sqs_groups = { for k, arns in var.queue_access : k => arns if contains(keys(var.groups), k) && length(arns) > 0 }
}

data "aws_iam_policy_document" "s3" {
  for_each = local.s3_groups

  dynamic "statement" {
    for_each = length(distinct(concat(each.value.read, each.value.write))) > 0 ? [1] : []
    content {
      sid       = "ListGrantedBuckets"
      actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
      resources = distinct(concat(each.value.read, each.value.write))
    }
  }

  dynamic "statement" {
    for_each = length(each.value.read) > 0 ? [1] : []
    content {
      sid       = "ReadObjects"
      actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging"]
      resources = [for arn in each.value.read : "${arn}/*"]
    }
  }

  dynamic "statement" {
    for_each = length(each.value.write) > 0 ? [1] : []
    content {
      sid       = "WriteObjects"
      actions   = ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"]
      resources = [for arn in each.value.write : "${arn}/*"]
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
  for_each = local.s3_groups

  name   = "s3-access"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.s3[each.key].json
}

resource "aws_iam_instance_profile" "this" {
  for_each = var.groups

  name = "${var.name_prefix}-${each.key}"
  role = aws_iam_role.this[each.key].name

  tags = merge(var.tags, { Role = each.key })
}

data "aws_iam_policy_document" "sqs" {
  for_each = local.sqs_groups

  statement {
    sid = "ConsumeQueues"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
    ]
    resources = each.value
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
  for_each = local.sqs_groups

  name   = "sqs-consume"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.sqs[each.key].json
}
