locals {
  name = "${var.name_prefix}-worker-${var.queue}"

  # Every instance carries the queue it consumes: the aws_ec2 inventory finds the group's
  # workers by this tag (the group's instances come and go, their names are not known).
  instance_tags = merge(var.tags, {
    Name                   = local.name
    "cdaprod:worker_queue" = var.queue
  })

  # A mixed-instances policy only when there is something to mix: several instance types, or
  # spot capacity. One type on demand is a plain launch template.
  mixed = length(var.instance_types) > 1 || var.spot != null

  # Without spot settings a mixed group (several types) is all on demand.
  on_demand_base_capacity                  = var.spot == null ? 0 : var.spot.on_demand_base
  on_demand_percentage_above_base_capacity = var.spot == null ? 100 : var.spot.on_demand_above_base_percent
}

################################################################################
# Image: only read, for the root device name the encrypted volume mapping must target (a
# mapping under another name would add a second volume and leave the root as the AMI has it)
################################################################################

data "aws_ami" "this" {
  filter {
    name   = "image-id"
    values = [var.ami_id]
  }
}

################################################################################
# Launch template
################################################################################

resource "aws_launch_template" "this" {
  #checkov:skip=CKV_AWS_341: The hop limit is the caller's (default 1; IMDSv2 is required either way): compute passes its hosts' 2, so containers on a worker reach the instance role as on a fixed host.
  name                   = local.name
  description            = "Celery workers of the ${var.queue} queue (${local.name})."
  image_id               = var.ami_id
  instance_type          = var.instance_types[0]
  vpc_security_group_ids = var.security_group_ids
  # No associate_public_ip_address: the workers live in private subnets and are reached over SSM.
  ebs_optimized          = true
  user_data              = var.user_data == null ? null : base64encode(var.user_data)
  update_default_version = true

  iam_instance_profile {
    name = var.instance_profile_name
  }

  # 1-minute metrics: the scaler reacts to them.
  monitoring {
    enabled = true
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = var.metadata_hop_limit
  }

  block_device_mappings {
    device_name = data.aws_ami.this.root_device_name

    ebs {
      volume_type           = "gp3"
      volume_size           = var.root_volume_size
      encrypted             = "true"
      kms_key_id            = var.ebs_kms_key_arn
      delete_on_termination = "true"
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = local.instance_tags
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(local.instance_tags, { Name = "${local.name}-root" })
  }

  tags = var.tag_launch_template ? merge(var.tags, { "cdaprod:worker_queue" = var.queue }) : {}
}

################################################################################
# Auto Scaling group
################################################################################

resource "aws_autoscaling_group" "this" {
  name                      = local.name
  min_size                  = var.min_size
  desired_capacity          = var.desired_capacity
  max_size                  = var.max_size
  vpc_zone_identifier       = var.subnet_ids
  capacity_rebalance        = var.capacity_rebalance
  health_check_type         = "EC2"
  health_check_grace_period = var.health_check_grace_period
  default_instance_warmup   = var.default_instance_warmup
  # Scale-in must be able to pick any worker; the termination lifecycle hook lets it drain.
  protect_from_scale_in = false
  # Roll the group forward: instances of an older template version go first.
  termination_policies = ["OldestLaunchTemplate", "OldestInstance"]

  dynamic "launch_template" {
    for_each = local.mixed ? [] : [1]
    content {
      id      = aws_launch_template.this.id
      version = aws_launch_template.this.latest_version
    }
  }

  dynamic "mixed_instances_policy" {
    for_each = local.mixed ? [1] : []
    content {
      instances_distribution {
        # On demand: instance_types in their order of preference.
        on_demand_allocation_strategy            = "prioritized"
        on_demand_base_capacity                  = local.on_demand_base_capacity
        on_demand_percentage_above_base_capacity = local.on_demand_percentage_above_base_capacity
        spot_allocation_strategy                 = "price-capacity-optimized"
      }

      launch_template {
        launch_template_specification {
          launch_template_id = aws_launch_template.this.id
          version            = aws_launch_template.this.latest_version
        }

        dynamic "override" {
          for_each = var.instance_types
          content {
            instance_type = override.value
          }
        }
      }
    }
  }

  dynamic "tag" {
    for_each = local.instance_tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  lifecycle {
    # The scaler owns desired capacity once the group exists: Terraform sets it at creation
    # only, so an apply never resets a scaled-out (or scaled-in) group to the configured value.
    ignore_changes = [desired_capacity]
  }
}

################################################################################
# Termination lifecycle hook: a worker being scaled in (or replaced) waits in
# Terminating:Wait so it can finish its running tasks
################################################################################

resource "aws_autoscaling_lifecycle_hook" "terminating" {
  name                   = "${local.name}-drain"
  autoscaling_group_name = aws_autoscaling_group.this.name
  lifecycle_transition   = "autoscaling:EC2_INSTANCE_TERMINATING"
  heartbeat_timeout      = var.termination_heartbeat_timeout
  # The worker's warm-shutdown handler (not built yet) stops consuming, lets its running tasks
  # finish and then completes the lifecycle action (CONTINUE), so termination proceeds at once.
  # Without it, or when it never answers, termination continues after heartbeat_timeout.
  default_result = "CONTINUE"

  lifecycle {
    # Never set here (the worker answers the hook itself, with no notification target and no
    # role); moto reports placeholder values for both, which would otherwise show as a change.
    ignore_changes = [notification_target_arn, role_arn]
  }
}
