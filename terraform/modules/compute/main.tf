locals {
  # Host kinds that have hosts (fixed ones, or an Auto Scaling group); IAM roles and instance
  # profiles exist only for these.
  kinds = { for kind, h in var.hosts : kind => h if h.autoscale != null || h.count > 0 }
  fixed = { for kind, h in local.kinds : kind => h if h.autoscale == null }

  # Per host kind: its security groups (keys, deduplicated: worker_cpu and airflow_worker
  # share one) and the union of its groups' grants. Everything here is known at plan time.
  kind_access = {
    for kind, h in local.kinds : kind => {
      groups          = h.groups
      security_groups = sort(distinct([for g in h.groups : lookup(var.group_security_groups, g, g)]))
      read            = sort(distinct(flatten([for g in h.groups : try(var.bucket_access[g].read, [])])))
      write           = sort(distinct(flatten([for g in h.groups : try(var.bucket_access[g].write, [])])))
      consume         = sort(distinct(flatten([for g in h.groups : lookup(var.queue_access, g, [])])))
      protected       = h.autoscale == null && length(setintersection(h.groups, var.termination_protected_groups)) > 0
      discovers       = length(setintersection(h.groups, var.discovery_groups)) > 0
      autoscaled      = h.autoscale != null
    }
  }

  # One entry per host: "<kind>-<n>" => attributes.
  instances = merge([
    for kind, h in local.fixed : {
      for i in range(h.count) : "${kind}-${i + 1}" => {
        kind             = kind
        groups           = h.groups
        index            = i
        instance_type    = h.instance_type
        gpu              = h.gpu
        root_volume_size = h.root_volume_size
        data_volume_size = h.data_volume_size
        ami_pattern      = coalesce(h.ami_name_pattern, var.ami_name_pattern)
        subnet_id        = var.subnet_ids[i % length(var.subnet_ids)]
      }
    }
  ]...)

  data_volumes = { for k, v in local.instances : k => v if v.data_volume_size > 0 }

  ami_patterns = toset([for h in values(local.kinds) : coalesce(h.ami_name_pattern, var.ami_name_pattern)])
}

################################################################################
# Images: Debian 12, looked up by owner and name (GPU hosts too: their driver comes from Ansible)
################################################################################

data "aws_ami" "this" {
  for_each = local.ami_patterns

  most_recent = true
  owners      = [var.ami_owner]

  filter {
    name   = "name"
    values = [each.key]
  }

  filter {
    name   = "architecture"
    values = ["x86_64"]
  }

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
}

################################################################################
# Instances
################################################################################

resource "aws_instance" "this" {
  for_each = local.instances

  ami                    = data.aws_ami.this[each.value.ami_pattern].id
  instance_type          = each.value.instance_type
  subnet_id              = each.value.subnet_id
  vpc_security_group_ids = [for sg in local.kind_access[each.value.kind].security_groups : var.security_group_ids[sg]]
  # No associate_public_ip_address: private subnets never map public IPs (setting it at all
  # makes the provider launch through a NetworkInterfaces spec).
  iam_instance_profile = aws_iam_instance_profile.this[each.value.kind].name
  ebs_optimized        = true
  monitoring           = var.detailed_monitoring
  # Stateful hosts (their data volume holds the database) refuse TerminateInstances from the
  # console or CLI. `terraform destroy` still removes them: the provider lifts the flag first.
  disable_api_termination = local.kind_access[each.value.kind].protected

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = var.metadata_hop_limit
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = each.value.root_volume_size
    encrypted             = true
    kms_key_id            = var.ebs_kms_key_arn
    delete_on_termination = true

    tags = merge(var.tags, { Name = "${var.name_prefix}-${each.key}-root", Kind = each.value.kind })
  }

  # Groups: space-separated (EC2 tag values may hold spaces but not every separator), so the
  # aws_ec2 inventory can key one group per word.
  tags = merge(var.tags, {
    Name   = "${var.name_prefix}-${each.key}"
    Kind   = each.value.kind
    Groups = join(" ", each.value.groups)
    Gpu    = tostring(each.value.gpu)
  })

  lifecycle {
    # A newer Debian image must not replace running hosts; roll them deliberately.
    # Data volumes are managed by aws_volume_attachment, not by this block.
    ignore_changes = [ami, ebs_block_device]

    precondition {
      condition     = alltrue([for sg in local.kind_access[each.value.kind].security_groups : contains(keys(var.security_group_ids), sg)])
      error_message = "Host kind ${each.value.kind}: no security group for ${join(", ", [for sg in local.kind_access[each.value.kind].security_groups : sg if !contains(keys(var.security_group_ids), sg)])} in security_group_ids (map the group with group_security_groups or add its security group)."
    }
  }
}

resource "aws_ebs_volume" "data" {
  for_each = local.data_volumes

  availability_zone = aws_instance.this[each.key].availability_zone
  type              = "gp3"
  size              = each.value.data_volume_size
  encrypted         = true
  kms_key_id        = var.ebs_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name_prefix}-${each.key}-data", Kind = each.value.kind })
}

resource "aws_volume_attachment" "data" {
  for_each = local.data_volumes

  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data[each.key].id
  instance_id = aws_instance.this[each.key].id
}
