output "vpc_id" {
  description = "ID of the VPC."
  value       = try(aws_vpc.this.id, null)
}

output "vpc_cidr" {
  description = "CIDR block of the VPC."
  value       = try(aws_vpc.this.cidr_block, null)
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, in AZ order."
  value       = try([for az in var.azs : aws_subnet.public[az].id], [])
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, in AZ order."
  value       = try([for az in var.azs : aws_subnet.private[az].id], [])
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways (one, or one per AZ)."
  value       = try([for ng in aws_nat_gateway.this : ng.id], [])
}

output "security_group_ids" {
  description = "Security group ID per host group (postgres, weaviate, airflow_master, airflow_worker, video_archive, social_gateway, ingress) and for the load balancer (alb)."
  value       = try({ for k, sg in aws_security_group.this : k => sg.id }, {})
}

output "s3_endpoint_id" {
  description = "ID of the S3 gateway endpoint."
  value       = try(aws_vpc_endpoint.s3.id, null)
}

output "flow_log_id" {
  description = "ID of the VPC flow log."
  value       = try(aws_flow_log.this.id, null)
}
