output "instances" {
  description = "Every fixed host (autoscaled kinds are in worker_groups), keyed by name (<name_prefix>-<kind>-<n>): id, kind, groups, private IP, AZ, instance type, GPU flag and data volume id (null without one)."
  value = try({
    for k, i in aws_instance.this : "${var.name_prefix}-${k}" => {
      id                = i.id
      kind              = local.instances[k].kind
      groups            = local.instances[k].groups
      private_ip        = i.private_ip
      availability_zone = i.availability_zone
      instance_type     = i.instance_type
      gpu               = local.instances[k].gpu
      data_volume_id    = try(aws_ebs_volume.data[k].id, null)
    }
  }, {})
}

output "kinds" {
  description = "Per host kind: its groups, the security groups (keys) its hosts get, the bucket purposes it reads and writes and the queues it consumes (each the union over its groups), whether its hosts are termination-protected, whether they may list the instances (discovers), and whether the kind is an Auto Scaling group (autoscaled). Known at plan time."
  value       = local.kind_access
}

output "instance_ids_by_kind" {
  description = "Instance IDs per fixed host kind."
  value       = try({ for kind, _ in local.fixed : kind => [for k, i in aws_instance.this : i.id if local.instances[k].kind == kind] }, {})
}

output "role_arns" {
  description = "IAM role ARN per host kind."
  value       = try({ for k, r in aws_iam_role.this : k => r.arn }, {})
}

output "instance_profile_names" {
  description = "IAM instance profile name per host kind."
  value       = try({ for k, p in aws_iam_instance_profile.this : k => p.name }, {})
}

output "ami_ids" {
  description = "AMI ID chosen per name pattern."
  value       = try({ for k, a in data.aws_ami.this : k => a.id }, {})
}

# Not wrapped in try(): keys must stay known at plan time so callers can for_each over them.
output "instance_ids" {
  description = "Instance ID per fixed host name (<name_prefix>-<kind>-<n>); keys are known at plan time."
  value       = { for k, i in aws_instance.this : "${var.name_prefix}-${k}" => i.id }
}

output "instance_groups" {
  description = "Groups per fixed host name; fully known at plan time."
  value       = { for k, v in local.instances : "${var.name_prefix}-${k}" => v.groups }
}

output "worker_groups" {
  description = "Per autoscaled host kind: queue, autoscaling_group_name, lifecycle_hook_name, launch_template_id, min_size, max_size, desired_capacity (at creation; the scaler owns it afterwards), instance_types (launch template's first), groups and gpu. Keys are known at plan time."
  value = {
    for kind, g in local.worker_groups : kind => {
      queue                  = g.queue
      autoscaling_group_name = module.worker_group[kind].autoscaling_group_name
      lifecycle_hook_name    = module.worker_group[kind].lifecycle_hook_name
      launch_template_id     = module.worker_group[kind].launch_template_id
      min_size               = g.min_size
      max_size               = g.max_size
      desired_capacity       = g.desired_capacity
      instance_types         = g.instance_types
      groups                 = g.groups
      gpu                    = g.gpu
    }
  }
}
