output "instances" {
  description = "Every host, keyed by name (<group>-<n>): id, group (Role tag), private IP, AZ, instance type, GPU flag."
  value = try({
    for k, i in aws_instance.this : "${var.name_prefix}-${k}" => {
      id                = i.id
      group             = local.instances[k].group
      private_ip        = i.private_ip
      availability_zone = i.availability_zone
      instance_type     = i.instance_type
      gpu               = local.instances[k].gpu
    }
  }, {})
}

output "instance_ids_by_group" {
  description = "Instance IDs per group."
  value       = try({ for group, _ in var.groups : group => [for k, i in aws_instance.this : i.id if local.instances[k].group == group] }, {})
}

output "role_arns" {
  description = "IAM role ARN per group."
  value       = try({ for k, r in aws_iam_role.this : k => r.arn }, {})
}

output "instance_profile_names" {
  description = "IAM instance profile name per group."
  value       = try({ for k, p in aws_iam_instance_profile.this : k => p.name }, {})
}

output "ami_ids" {
  description = "AMI ID chosen per name pattern."
  value       = try({ for k, a in data.aws_ami.this : k => a.id }, {})
}

# Not wrapped in try(): keys must stay known at plan time so callers can for_each over them.
output "instance_ids" {
  description = "Instance ID per host name (<name_prefix>-<group>-<n>); keys are known at plan time."
  value       = { for k, i in aws_instance.this : "${var.name_prefix}-${k}" => i.id }
}

output "instance_groups" {
  description = "Group (Role tag) per host name; fully known at plan time."
  value       = { for k, v in local.instances : "${var.name_prefix}-${k}" => v.group }
}
