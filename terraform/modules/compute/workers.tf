################################################################################
# Autoscaled host kinds: one worker group (Auto Scaling group of Celery workers) per kind with
# `autoscale`, in place of fixed instances. Its instances boot from user data that fetches the
# worker bundle and reads secrets_id themselves (worker_boot/), and carry the tags fixed hosts
# carry (Kind, Groups, Gpu), which platformctl and Prometheus select by.
################################################################################

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  worker_groups = {
    for kind, h in local.kinds : kind => {
      queue = h.autoscale.queue
      # worker_group names the group and its hook from these strings; the boot configuration
      # needs them before the group exists (the user data is part of its launch template).
      name                = "${var.name_prefix}-worker-${h.autoscale.queue}"
      lifecycle_hook_name = "${var.name_prefix}-worker-${h.autoscale.queue}-drain"
      instance_types      = tolist(concat([h.instance_type], h.autoscale.extra_instance_types))
      min_size            = h.autoscale.min_size
      max_size            = h.autoscale.max_size
      desired_capacity    = coalesce(h.autoscale.desired_capacity, h.autoscale.min_size)
      groups              = h.groups
      gpu                 = h.gpu
    } if h.autoscale != null
  }

  # What an instance of the group reads at boot (worker_boot/): where its bundle and the secret
  # are, which group and hook it answers, and what it is.
  worker_boot_config = {
    for kind, g in local.worker_groups : kind => {
      environment            = var.tags["Environment"]
      region                 = data.aws_region.current.name
      bundle_bucket          = var.worker_bundle_bucket
      manifest_key           = var.worker_bundle_manifest_key
      secrets_id             = var.secrets_id
      autoscaling_group_name = g.name
      lifecycle_hook_name    = g.lifecycle_hook_name
      queue                  = g.queue
      kind                   = kind
      groups                 = g.groups
    }
  }

  worker_group_arn_prefix = "arn:${data.aws_partition.current.partition}:autoscaling:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:autoScalingGroup:*:autoScalingGroupName"
}

module "worker_group" {
  source   = "../worker_group"
  for_each = local.worker_groups

  name_prefix = var.name_prefix
  queue       = each.value.queue
  # worker_group sets Name and cdaprod:worker_queue itself and refuses them here.
  tags = merge({ for k, v in var.tags : k => v if !contains(["Name", "cdaprod:worker_queue"], k) }, {
    Kind   = each.key
    Groups = join(" ", each.value.groups)
    Gpu    = tostring(each.value.gpu)
  })

  ami_id                = data.aws_ami.this[coalesce(var.hosts[each.key].ami_name_pattern, var.ami_name_pattern)].id
  instance_types        = each.value.instance_types
  instance_profile_name = aws_iam_instance_profile.this[each.key].name
  # A missing one fails aws_iam_instance_profile.this's precondition, which names it.
  security_group_ids = [for sg in local.kind_access[each.key].security_groups : var.security_group_ids[sg] if contains(keys(var.security_group_ids), sg)]
  subnet_ids         = var.subnet_ids
  root_volume_size   = var.hosts[each.key].root_volume_size
  ebs_kms_key_arn    = var.ebs_kms_key_arn
  metadata_hop_limit = var.metadata_hop_limit

  min_size                      = each.value.min_size
  desired_capacity              = each.value.desired_capacity
  max_size                      = each.value.max_size
  spot                          = var.hosts[each.key].autoscale.spot
  termination_heartbeat_timeout = var.hosts[each.key].autoscale.termination_heartbeat_timeout
  default_instance_warmup       = var.worker_groups_for_moto ? null : 300
  tag_launch_template           = !var.worker_groups_for_moto

  user_data = templatefile("${path.module}/worker_boot/user_data.sh.tftpl", {
    boot_script = file("${path.module}/worker_boot/worker_boot.py")
    config_json = jsonencode(local.worker_boot_config[each.key])
  })
}
