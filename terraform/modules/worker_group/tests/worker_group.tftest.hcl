# Offline: every AWS call is answered by the mock provider.
mock_provider "aws" {
  mock_data "aws_ami" {
    defaults = {
      root_device_name = "/dev/xvda"
    }
  }
}

# A CPU group: three instance types, one on-demand worker always, spot above it.
variables {
  name_prefix           = "cdaprod-test"
  queue                 = "cpu"
  tags                  = { Project = "cdaprod", Environment = "dev" }
  ami_id                = "ami-0d3e6b1a2c4f5a601"
  instance_types        = ["c6i.xlarge", "c5.xlarge", "m6i.xlarge"]
  instance_profile_name = "cdaprod-test-worker-cpu"
  security_group_ids    = ["sg-worker"]
  subnet_ids            = ["subnet-aaaa", "subnet-bbbb"]
  user_data             = "#cloud-config\nruncmd: [\"true\"]\n"
  min_size              = 1
  desired_capacity      = 2
  max_size              = 6
  spot                  = { on_demand_base = 1 }
}

run "a_cpu_group_mixes_three_types_with_one_on_demand_worker_and_spot_above" {
  command = plan

  assert {
    condition     = length(aws_autoscaling_group.this.mixed_instances_policy) == 1 && length(aws_autoscaling_group.this.launch_template) == 0
    error_message = "Several instance types with spot settings need a mixed-instances policy (and no plain launch_template block)."
  }

  assert {
    condition     = aws_autoscaling_group.this.mixed_instances_policy[0].instances_distribution[0].on_demand_base_capacity == 1
    error_message = "The on-demand base must be spot.on_demand_base (1)."
  }

  assert {
    condition     = aws_autoscaling_group.this.mixed_instances_policy[0].instances_distribution[0].on_demand_percentage_above_base_capacity == 0
    error_message = "Above the base the group must be all spot (0 % on demand) by default."
  }

  assert {
    condition     = aws_autoscaling_group.this.mixed_instances_policy[0].instances_distribution[0].spot_allocation_strategy == "price-capacity-optimized"
    error_message = "Spot capacity must be chosen price-capacity-optimized."
  }

  assert {
    condition     = [for o in aws_autoscaling_group.this.mixed_instances_policy[0].launch_template[0].override : o.instance_type] == ["c6i.xlarge", "c5.xlarge", "m6i.xlarge"]
    error_message = "One override per instance type, in the given order."
  }

  assert {
    condition     = aws_autoscaling_group.this.capacity_rebalance
    error_message = "capacity_rebalance must default to true."
  }

  assert {
    condition     = aws_autoscaling_group.this.min_size == 1 && aws_autoscaling_group.this.desired_capacity == 2 && aws_autoscaling_group.this.max_size == 6
    error_message = "min, desired and max come from the variables."
  }

  assert {
    condition     = aws_autoscaling_group.this.name == "cdaprod-test-worker-cpu" && toset(aws_autoscaling_group.this.vpc_zone_identifier) == toset(["subnet-aaaa", "subnet-bbbb"])
    error_message = "The group is named <name_prefix>-worker-<queue> and spans the given subnets."
  }

  assert {
    condition     = aws_autoscaling_group.this.health_check_type == "EC2" && aws_autoscaling_group.this.health_check_grace_period == 300 && aws_autoscaling_group.this.default_instance_warmup == 300
    error_message = "EC2 health checks with the grace period and warm-up defaults."
  }

  assert {
    condition     = !aws_autoscaling_group.this.protect_from_scale_in && aws_autoscaling_group.this.termination_policies == tolist(["OldestLaunchTemplate", "OldestInstance"])
    error_message = "No scale-in protection; older launch template versions, then older instances, go first."
  }
}

run "without_spot_settings_several_types_run_on_demand" {
  command = plan

  variables {
    spot = null
  }

  assert {
    condition     = length(aws_autoscaling_group.this.mixed_instances_policy) == 1
    error_message = "Several instance types still need a mixed-instances policy."
  }

  assert {
    condition     = aws_autoscaling_group.this.mixed_instances_policy[0].instances_distribution[0].on_demand_base_capacity == 0 && aws_autoscaling_group.this.mixed_instances_policy[0].instances_distribution[0].on_demand_percentage_above_base_capacity == 100
    error_message = "Without spot settings every instance must be on demand."
  }
}

run "a_gpu_group_with_one_type_may_empty_and_uses_a_plain_launch_template" {
  command = plan

  variables {
    queue                 = "gpu"
    instance_types        = ["g5.xlarge"]
    instance_profile_name = "cdaprod-test-worker-gpu"
    min_size              = 0
    desired_capacity      = 0
    max_size              = 2
    spot                  = null
  }

  assert {
    condition     = length(aws_autoscaling_group.this.mixed_instances_policy) == 0
    error_message = "One instance type on demand needs no mixed-instances policy."
  }

  assert {
    condition     = length(aws_autoscaling_group.this.launch_template) == 1
    error_message = "One instance type on demand uses a plain launch_template block."
  }

  assert {
    condition     = aws_autoscaling_group.this.min_size == 0 && aws_autoscaling_group.this.desired_capacity == 0
    error_message = "A GPU group may have minimum (and desired) 0."
  }

  assert {
    condition     = aws_launch_template.this.instance_type == "g5.xlarge" && aws_launch_template.this.iam_instance_profile[0].name == "cdaprod-test-worker-gpu"
    error_message = "The launch template carries the single type and the given instance profile."
  }

  assert {
    condition     = aws_autoscaling_group.this.name == "cdaprod-test-worker-gpu"
    error_message = "The group is named after its queue."
  }
}

run "one_type_on_spot_is_still_mixed" {
  command = plan

  variables {
    instance_types = ["g5.xlarge"]
    spot           = { on_demand_base = 0, on_demand_above_base_percent = 25 }
  }

  assert {
    condition     = length(aws_autoscaling_group.this.mixed_instances_policy[0].launch_template[0].override) == 1 && aws_autoscaling_group.this.mixed_instances_policy[0].instances_distribution[0].on_demand_percentage_above_base_capacity == 25
    error_message = "Spot settings with one type make a mixed-instances policy with one override."
  }
}

run "the_launch_template_requires_imdsv2_and_encrypts_the_root_volume" {
  command = plan

  variables {
    ebs_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition     = aws_launch_template.this.metadata_options[0].http_tokens == "required" && aws_launch_template.this.metadata_options[0].http_endpoint == "enabled"
    error_message = "IMDSv2 (http_tokens = required) must be enforced."
  }

  assert {
    condition     = aws_launch_template.this.metadata_options[0].http_put_response_hop_limit == 1
    error_message = "The metadata hop limit defaults to 1."
  }

  assert {
    condition     = aws_launch_template.this.block_device_mappings[0].device_name == "/dev/xvda"
    error_message = "The encrypted mapping must target the AMI's root device."
  }

  assert {
    condition     = aws_launch_template.this.block_device_mappings[0].ebs[0].encrypted == "true" && aws_launch_template.this.block_device_mappings[0].ebs[0].volume_type == "gp3" && aws_launch_template.this.block_device_mappings[0].ebs[0].volume_size == 30
    error_message = "The root volume must be an encrypted 30 GiB gp3 volume."
  }

  assert {
    condition     = aws_launch_template.this.block_device_mappings[0].ebs[0].kms_key_id == "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    error_message = "The root volume uses the given KMS key."
  }

  assert {
    condition     = aws_launch_template.this.image_id == "ami-0d3e6b1a2c4f5a601" && aws_launch_template.this.vpc_security_group_ids == toset(["sg-worker"])
    error_message = "The launch template uses the given AMI and security groups."
  }

  assert {
    condition     = aws_launch_template.this.user_data == base64encode("#cloud-config\nruncmd: [\"true\"]\n")
    error_message = "The user data is passed through, base64-encoded by the module."
  }

  assert {
    condition     = aws_launch_template.this.monitoring[0].enabled && aws_launch_template.this.update_default_version
    error_message = "Detailed monitoring on; every new template version becomes the default."
  }
}

run "no_user_data_means_none" {
  command = plan

  variables {
    user_data = null
  }

  assert {
    condition     = aws_launch_template.this.user_data == null
    error_message = "Without user_data the template carries none."
  }
}

run "the_queue_tag_reaches_instances_and_volumes" {
  command = plan

  assert {
    condition = anytrue([
      for t in aws_autoscaling_group.this.tag : t.key == "cdaprod:worker_queue" && t.value == "cpu" && t.propagate_at_launch
    ])
    error_message = "The group must propagate cdaprod:worker_queue = cpu at launch (the inventory finds workers by it)."
  }

  assert {
    condition     = alltrue([for t in aws_autoscaling_group.this.tag : t.propagate_at_launch]) && length(aws_autoscaling_group.this.tag) == 4
    error_message = "Project, Environment, Name and cdaprod:worker_queue, all propagated at launch."
  }

  assert {
    condition = alltrue([
      for s in aws_launch_template.this.tag_specifications : s.tags["cdaprod:worker_queue"] == "cpu" && s.tags["Project"] == "cdaprod" && s.tags["Environment"] == "dev"
    ]) && toset([for s in aws_launch_template.this.tag_specifications : s.resource_type]) == toset(["instance", "volume"])
    error_message = "Instances and volumes are tagged with the group's tags and the queue."
  }

  assert {
    condition     = toset([for s in aws_launch_template.this.tag_specifications : s.tags["Name"]]) == toset(["cdaprod-test-worker-cpu", "cdaprod-test-worker-cpu-root"])
    error_message = "Instances are named after the group, their root volumes <group>-root."
  }
}

run "the_lifecycle_hook_holds_terminating_workers" {
  command = plan

  variables {
    termination_heartbeat_timeout = 1800
  }

  assert {
    condition     = aws_autoscaling_lifecycle_hook.terminating.lifecycle_transition == "autoscaling:EC2_INSTANCE_TERMINATING"
    error_message = "The hook must be on termination."
  }

  assert {
    condition     = aws_autoscaling_lifecycle_hook.terminating.heartbeat_timeout == 1800 && aws_autoscaling_lifecycle_hook.terminating.default_result == "CONTINUE"
    error_message = "The hook waits the given timeout, then continues the termination."
  }

  assert {
    condition     = aws_autoscaling_lifecycle_hook.terminating.autoscaling_group_name == "cdaprod-test-worker-cpu" && output.lifecycle_hook_name == "cdaprod-test-worker-cpu-drain"
    error_message = "The hook belongs to the group; its name is an output."
  }
}

run "the_heartbeat_timeout_defaults_to_an_hour" {
  command = plan

  assert {
    condition     = aws_autoscaling_lifecycle_hook.terminating.heartbeat_timeout == 3600
    error_message = "A worker gets an hour to finish its tasks by default."
  }
}

run "rejects_min_above_desired" {
  command = plan

  variables {
    min_size         = 3
    desired_capacity = 2
  }

  expect_failures = [var.min_size]
}

run "rejects_desired_above_max" {
  command = plan

  variables {
    desired_capacity = 7
  }

  expect_failures = [var.desired_capacity]
}

run "rejects_a_max_of_zero" {
  command = plan

  variables {
    min_size         = 0
    desired_capacity = 0
    max_size         = 0
    spot             = null
  }

  expect_failures = [var.max_size]
}

run "rejects_an_empty_instance_type_list" {
  command = plan

  variables {
    instance_types = []
  }

  expect_failures = [var.instance_types]
}

run "rejects_a_bad_queue_name" {
  command = plan

  variables {
    queue = "GPU-Queue"
  }

  expect_failures = [var.queue]
}

run "rejects_no_subnets" {
  command = plan

  variables {
    subnet_ids = []
  }

  expect_failures = [var.subnet_ids]
}

run "rejects_an_on_demand_base_above_max" {
  command = plan

  variables {
    spot = { on_demand_base = 7 }
  }

  expect_failures = [var.spot]
}

run "rejects_a_percentage_above_100" {
  command = plan

  variables {
    spot = { on_demand_base = 1, on_demand_above_base_percent = 101 }
  }

  expect_failures = [var.spot]
}

run "rejects_a_heartbeat_timeout_out_of_range" {
  command = plan

  variables {
    termination_heartbeat_timeout = 10
  }

  expect_failures = [var.termination_heartbeat_timeout]
}

run "outputs_describe_the_tags_and_the_purchase" {
  command = plan

  assert {
    condition     = output.instance_tags == { Project = "cdaprod", Environment = "dev", Name = "cdaprod-test-worker-cpu", "cdaprod:worker_queue" = "cpu" }
    error_message = "instance_tags are the tags every instance carries."
  }

  assert {
    condition = (
      output.instances_distribution.instance_types == tolist(["c6i.xlarge", "c5.xlarge", "m6i.xlarge"]) &&
      output.instances_distribution.on_demand_base_capacity == 1 &&
      output.instances_distribution.on_demand_percentage_above_base_capacity == 0 &&
      output.instances_distribution.spot_allocation_strategy == "price-capacity-optimized"
    )
    error_message = "instances_distribution reads the group's mixed-instances policy."
  }

  assert {
    condition     = aws_launch_template.this.tags["cdaprod:worker_queue"] == "cpu" && aws_autoscaling_group.this.default_instance_warmup == 300
    error_message = "By default the launch template itself is tagged and the warm-up is set."
  }
}

run "one_type_on_demand_reports_no_spot" {
  command = plan

  variables {
    instance_types = ["g5.xlarge"]
    spot           = null
  }

  assert {
    condition     = output.instances_distribution.on_demand_percentage_above_base_capacity == 100 && output.instances_distribution.spot_allocation_strategy == null
    error_message = "Without a mixed-instances policy every worker is on demand."
  }
}

run "moto_leaves_out_the_template_tags_and_the_warmup" {
  command = plan

  variables {
    tag_launch_template     = false
    default_instance_warmup = null
  }

  assert {
    condition     = length(aws_launch_template.this.tags) == 0 && aws_autoscaling_group.this.default_instance_warmup == null
    error_message = "tag_launch_template = false and a null warm-up leave both out."
  }

  assert {
    condition     = alltrue([for s in aws_launch_template.this.tag_specifications : s.tags["cdaprod:worker_queue"] == "cpu"])
    error_message = "Instances and volumes stay tagged."
  }
}
