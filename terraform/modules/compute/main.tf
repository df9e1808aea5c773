locals {
  # One entry per host: "<group>-<n>" => attributes.
  instances = merge([
    for group, g in var.groups : {
      for i in range(g.count) : "${group}-${i + 1}" => {
        group            = group
        index            = i
        instance_type    = g.instance_type
        gpu              = g.gpu
        root_volume_size = g.root_volume_size
        data_volume_size = g.data_volume_size
        security_group   = g.security_group
        ami_pattern      = coalesce(g.ami_name_pattern, var.ami_name_pattern)
        subnet_id        = var.subnet_ids[i % length(var.subnet_ids)]
      }
    }
  ]...)

  data_volumes = { for k, v in local.instances : k => v if v.data_volume_size > 0 }

  ami_patterns = toset([for g in var.groups : coalesce(g.ami_name_pattern, var.ami_name_pattern) if g.count > 0])
}

################################################################################
# Images: Debian 12, looked up by owner and name (the GPU group too: its driver comes from Ansible)
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
  vpc_security_group_ids = [var.security_group_ids[each.value.security_group]]
  # No associate_public_ip_address: private subnets never map public IPs (setting it at all
  # makes the provider launch through a NetworkInterfaces spec).
  iam_instance_profile = aws_iam_instance_profile.this[each.value.group].name
  ebs_optimized        = true
  monitoring           = var.detailed_monitoring

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

    tags = merge(var.tags, { Name = "${var.name_prefix}-${each.key}-root", Role = each.value.group })
  }

  tags = merge(var.tags, {
    Name = "${var.name_prefix}-${each.key}"
    Role = each.value.group
    Gpu  = tostring(each.value.gpu)
  })

  lifecycle {
    # A newer Debian image must not replace running hosts; roll them deliberately.
    # Data volumes are managed by aws_volume_attachment, not by this block.
    ignore_changes = [ami, ebs_block_device]
  }
}

resource "aws_ebs_volume" "data" {
  for_each = local.data_volumes

  availability_zone = aws_instance.this[each.key].availability_zone
  type              = "gp3"
  size              = each.value.data_volume_size
  encrypted         = true
  kms_key_id        = var.ebs_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name_prefix}-${each.key}-data", Role = each.value.group })
}

resource "aws_volume_attachment" "data" {
  for_each = local.data_volumes

  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data[each.key].id
  instance_id = aws_instance.this[each.key].id
}
