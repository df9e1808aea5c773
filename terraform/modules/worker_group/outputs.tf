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
