output "url" {
  description = "The public site; workspaces answer at https://<slug>.<root_domain>/."
  value       = "https://${var.root_domain}/"
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (the apex and wildcard records alias it)."
  value       = aws_lb.main.dns_name
}

output "ecr_repository_url" {
  description = "Push the image built from infra/Dockerfile here."
  value       = aws_ecr_repository.kefu.repository_url
}

output "ecs_cluster_name" {
  value = aws_ecs_cluster.main.name
}

output "web_service_name" {
  value = aws_ecs_service.web.name
}

output "worker_service_name" {
  value = aws_ecs_service.worker.name
}

output "run_migrations_command" {
  description = "Runs the one-shot migrate task (migrate_schemas + root domain row); run it on every deploy before the services roll."
  value       = "aws ecs run-task --region ${var.region} --cluster ${aws_ecs_cluster.main.name} --launch-type FARGATE --task-definition ${aws_ecs_task_definition.app["migrate"].family} --network-configuration 'awsvpcConfiguration={subnets=[${join(",", module.vpc.private_subnets)}],securityGroups=[${aws_security_group.app.id}],assignPublicIp=DISABLED}'"
}

output "database_endpoint" {
  description = "RDS PostgreSQL address (private)."
  value       = aws_db_instance.main.address
}

output "redis_endpoint" {
  description = "ElastiCache primary endpoint (private, TLS)."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}

output "media_bucket" {
  value = aws_s3_bucket.media.bucket
}

output "secret_arns" {
  description = "Secrets Manager secrets passed to the containers, by variable name."
  value       = { for k, s in aws_secretsmanager_secret.app : k => s.arn }
}

output "log_groups" {
  value = { for k, g in aws_cloudwatch_log_group.app : k => g.name }
}
