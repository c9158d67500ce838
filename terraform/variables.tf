variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-central-1"
}

variable "environment" {
  description = "Environment name, used in resource names and tags (e.g. production, staging)."
  type        = string
  default     = "production"
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

# --- DNS -------------------------------------------------------------------------------------

variable "root_domain" {
  description = "KEFU_ROOT_DOMAIN: the public site answers at it, workspaces at <slug>.<root_domain>."
  type        = string
}

variable "route53_zone_id" {
  description = "ID of the Route 53 hosted zone that contains root_domain."
  type        = string
}

# --- Network ---------------------------------------------------------------------------------

variable "vpc_cidr" {
  description = "CIDR block of the VPC."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Number of availability zones to spread subnets over (2 or 3)."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be 2 or 3 (RDS and the load balancer need two zones)."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper) instead of one per zone (resilient)."
  type        = bool
  default     = true
}

# --- Database --------------------------------------------------------------------------------

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
  default     = 50
}

variable "db_max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB."
  type        = number
  default     = 500
}

variable "db_multi_az" {
  description = "Run RDS with a synchronous standby in a second zone."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 14
}

variable "db_deletion_protection" {
  description = "Refuse to delete the database (turn off only to tear an environment down)."
  type        = bool
  default     = true
}

# --- Redis -----------------------------------------------------------------------------------

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.small"
}

variable "redis_num_nodes" {
  description = "Nodes in the replication group; 2 or more enables automatic failover."
  type        = number
  default     = 2
}

# --- Application -----------------------------------------------------------------------------

variable "image_tag" {
  description = "Tag of the Kefu image in the ECR repository to deploy (built from infra/Dockerfile)."
  type        = string
  default     = "latest"
}

variable "web_cpu" {
  description = "Fargate CPU units for a web task."
  type        = number
  default     = 512
}

variable "web_memory" {
  description = "Fargate memory (MiB) for a web task."
  type        = number
  default     = 1024
}

variable "web_desired_count" {
  description = "Number of web tasks."
  type        = number
  default     = 2
}

variable "worker_cpu" {
  description = "Fargate CPU units for a worker task."
  type        = number
  default     = 512
}

variable "worker_memory" {
  description = "Fargate memory (MiB) for a worker task."
  type        = number
  default     = 1024
}

variable "worker_desired_count" {
  description = "Number of dramatiq worker tasks."
  type        = number
  default     = 1
}

variable "schema_pool_size" {
  description = "KEFU_SCHEMA_POOL_SIZE: warm, unassigned tenant schemas kept ready for signup."
  type        = number
  default     = 3
}

variable "extra_environment" {
  description = "Extra plain (non-secret) environment variables for every Kefu container."
  type        = map(string)
  default     = {}
}

variable "log_retention_days" {
  description = "CloudWatch log retention."
  type        = number
  default     = 30
}

# --- Secrets: initial values only ------------------------------------------------------------
# Terraform creates the Secrets Manager secrets and writes these once; later changes made with
# `aws secretsmanager put-secret-value` are kept (ignore_changes). Prefer setting real values
# that way so they never sit in a tfvars file; the state still holds the initial values.

variable "stripe_secret_key" {
  description = "Initial STRIPE_SECRET_KEY."
  type        = string
  sensitive   = true
  default     = "sk_test_replace_me"
}

variable "stripe_webhook_secret" {
  description = "Initial STRIPE_WEBHOOK_SECRET."
  type        = string
  sensitive   = true
  default     = "whsec_replace_me"
}

variable "email_host_password" {
  description = "Initial KEFU_EMAIL_HOST_PASSWORD (SMTP); host, port and user go in extra_environment."
  type        = string
  sensitive   = true
  default     = "replace-me"
}

variable "enable_sentry" {
  description = "Pass SENTRY_DSN to the containers. Off until the secret holds a real DSN: the app refuses an invalid one."
  type        = bool
  default     = false
}

variable "sentry_dsn" {
  description = "Initial SENTRY_DSN (only used when enable_sentry is true)."
  type        = string
  sensitive   = true
  default     = "https://replace-me@sentry.invalid/0"
}

variable "email_provider" {
  description = "KEFU_EMAIL_PROVIDER: \"mailgun\" sends and receives through Mailgun (anymail); empty uses SMTP."
  type        = string
  default     = "mailgun"
}

variable "mailgun_api_key" {
  description = "Initial MAILGUN_API_KEY (sending)."
  type        = string
  sensitive   = true
  default     = "replace-me"
}

variable "mailgun_webhook_signing_key" {
  description = "Initial MAILGUN_WEBHOOK_SIGNING_KEY (verifies the inbound webhook)."
  type        = string
  sensitive   = true
  default     = "replace-me"
}
