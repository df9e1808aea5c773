output "autoscaling_group_name" {
  description = "Name of the Auto Scaling group (<name_prefix>-worker-<queue>): what the scaler sets the desired capacity of."
  value       = aws_autoscaling_group.this.name
}

output "autoscaling_group_arn" {
  description = "ARN of the Auto Scaling group."
  value       = aws_autoscaling_group.this.arn
}

output "launch_template_id" {
  description = "ID of the group's launch template."
  value       = aws_launch_template.this.id
}

output "launch_template_latest_version" {
  description = "Latest version of the launch template (also its default version); the group launches this version."
  value       = aws_launch_template.this.latest_version
}

output "lifecycle_hook_name" {
  description = "Name of the termination lifecycle hook the worker's warm-shutdown handler completes (CompleteLifecycleAction with this name and the group's name)."
  value       = aws_autoscaling_lifecycle_hook.terminating.name
}

output "instance_tags" {
  description = "Tags every instance of the group carries (the given tags, Name and cdaprod:worker_queue), from the launch template and propagated by the group."
  value       = local.instance_tags
}

output "instances_distribution" {
  description = "How the group buys capacity: instance_types (in order of preference), on_demand_base_capacity, on_demand_percentage_above_base_capacity (100 = no spot) and spot_allocation_strategy (null without a mixed-instances policy)."
  value = {
    instance_types                           = var.instance_types
    on_demand_base_capacity                  = try(aws_autoscaling_group.this.mixed_instances_policy[0].instances_distribution[0].on_demand_base_capacity, 0)
    on_demand_percentage_above_base_capacity = try(aws_autoscaling_group.this.mixed_instances_policy[0].instances_distribution[0].on_demand_percentage_above_base_capacity, 100)
    spot_allocation_strategy                 = try(aws_autoscaling_group.this.mixed_instances_policy[0].instances_distribution[0].spot_allocation_strategy, null)
  }
}
