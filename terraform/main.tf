data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_caller_identity" "current" {}

locals {
  name  = "kefu-${var.environment}"
  azs   = slice(data.aws_availability_zones.available.names, 0, var.az_count)
  image = "${aws_ecr_repository.kefu.repository_url}:${var.image_tag}"
}

# --- Network: public subnets for the load balancer, private ones for everything else ---------

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.13"

  name = local.name
  cidr = var.vpc_cidr
  azs  = local.azs

  public_subnets      = [for i in range(var.az_count) : cidrsubnet(var.vpc_cidr, 8, i)]
  private_subnets     = [for i in range(var.az_count) : cidrsubnet(var.vpc_cidr, 8, i + 10)]
  database_subnets    = [for i in range(var.az_count) : cidrsubnet(var.vpc_cidr, 8, i + 20)]
  elasticache_subnets = [for i in range(var.az_count) : cidrsubnet(var.vpc_cidr, 8, i + 30)]

  create_database_subnet_group    = true
  create_elasticache_subnet_group = true

  enable_nat_gateway   = true
  single_nat_gateway   = var.single_nat_gateway
  enable_dns_hostnames = true
  enable_dns_support   = true
}

resource "aws_security_group" "alb" {
  name        = "${local.name}-alb"
  description = "Internet to the load balancer"
  vpc_id      = module.vpc.vpc_id

  ingress {
    description      = "HTTPS"
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  ingress {
    description      = "HTTP (redirected to HTTPS)"
    from_port        = 80
    to_port          = 80
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "app" {
  name        = "${local.name}-app"
  description = "Kefu web and worker tasks"
  vpc_id      = module.vpc.vpc_id

  ingress {
    description     = "gunicorn from the load balancer"
    from_port       = 8000
    to_port         = 8000
    protocol        = "tcp"
    security_groups = [aws_security_group.alb.id]
  }

  egress {
    description = "Database, Redis, Stripe, Sentry, AWS APIs"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "db" {
  name        = "${local.name}-db"
  description = "PostgreSQL from Kefu tasks"
  vpc_id      = module.vpc.vpc_id

  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id]
  }
}

resource "aws_security_group" "redis" {
  name        = "${local.name}-redis"
  description = "Redis from Kefu tasks"
  vpc_id      = module.vpc.vpc_id

  ingress {
    from_port       = 6379
    to_port         = 6379
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id]
  }
}

# --- PostgreSQL 16: one cluster holds public, the template schema, the pool and every tenant --

resource "random_password" "db" {
  length  = 32
  special = false # it goes into DATABASE_URL
}

resource "aws_db_instance" "main" {
  identifier     = local.name
  engine         = "postgres"
  engine_version = "16"
  instance_class = var.db_instance_class

  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true

  db_name  = "kefu"
  username = "kefu"
  password = random_password.db.result
  port     = 5432

  multi_az               = var.db_multi_az
  db_subnet_group_name   = module.vpc.database_subnet_group_name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = false

  backup_retention_period    = var.db_backup_retention_days
  copy_tags_to_snapshot      = true
  deletion_protection        = var.db_deletion_protection
  skip_final_snapshot        = false
  final_snapshot_identifier  = "${local.name}-final"
  auto_minor_version_upgrade = true
}

# --- Redis 7: dramatiq broker and cache ------------------------------------------------------

resource "random_password" "redis" {
  length  = 48
  special = false
}

resource "aws_elasticache_parameter_group" "redis" {
  name   = "${local.name}-redis7"
  family = "redis7"

  # Queued jobs must never be evicted.
  parameter {
    name  = "maxmemory-policy"
    value = "noeviction"
  }
}

resource "aws_elasticache_replication_group" "redis" {
  replication_group_id = local.name
  description          = "Kefu job broker and cache"
  engine               = "redis"
  engine_version       = "7.1"
  node_type            = var.redis_node_type
  num_cache_clusters   = var.redis_num_nodes
  port                 = 6379

  automatic_failover_enabled = var.redis_num_nodes > 1
  multi_az_enabled           = var.redis_num_nodes > 1
  parameter_group_name       = aws_elasticache_parameter_group.redis.name
  subnet_group_name          = module.vpc.elasticache_subnet_group_name
  security_group_ids         = [aws_security_group.redis.id]

  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  auth_token                 = random_password.redis.result
  snapshot_retention_limit   = 3
}

# --- Media: private, versioned, encrypted -----------------------------------------------------

resource "aws_s3_bucket" "media" {
  bucket = "${local.name}-media-${data.aws_caller_identity.current.account_id}"
}

resource "aws_s3_bucket_public_access_block" "media" {
  bucket                  = aws_s3_bucket.media.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "media" {
  bucket = aws_s3_bucket.media.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "media" {
  bucket = aws_s3_bucket.media.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "media" {
  bucket = aws_s3_bucket.media.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "media" {
  bucket = aws_s3_bucket.media.id
  rule {
    id     = "expire-old-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
  }
}

# --- Secrets: handed to the containers as environment variables by ECS ----------------------

resource "random_password" "django_secret_key" {
  length  = 64
  special = false
}

locals {
  # Derived by Terraform and kept in step with the resources.
  generated_secrets = ["DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "KEFU_CACHE_URL"]
  # Written once from variables; afterwards set with `aws secretsmanager put-secret-value`.
  operator_secrets = [
    "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "SENTRY_DSN", "KEFU_EMAIL_HOST_PASSWORD",
    "MAILGUN_API_KEY", "MAILGUN_WEBHOOK_SIGNING_KEY",
  ]

  secret_values = {
    DJANGO_SECRET_KEY           = random_password.django_secret_key.result
    DATABASE_URL                = "postgresql://${aws_db_instance.main.username}:${random_password.db.result}@${aws_db_instance.main.address}:${aws_db_instance.main.port}/${aws_db_instance.main.db_name}?sslmode=require"
    REDIS_URL                   = "rediss://:${random_password.redis.result}@${aws_elasticache_replication_group.redis.primary_endpoint_address}:6379/0"
    KEFU_CACHE_URL              = "rediss://:${random_password.redis.result}@${aws_elasticache_replication_group.redis.primary_endpoint_address}:6379/1"
    STRIPE_SECRET_KEY           = var.stripe_secret_key
    STRIPE_WEBHOOK_SECRET       = var.stripe_webhook_secret
    SENTRY_DSN                  = var.sentry_dsn
    KEFU_EMAIL_HOST_PASSWORD    = var.email_host_password
    MAILGUN_API_KEY             = var.mailgun_api_key
    MAILGUN_WEBHOOK_SIGNING_KEY = var.mailgun_webhook_signing_key
  }
}

resource "aws_secretsmanager_secret" "app" {
  for_each                = toset(concat(local.generated_secrets, local.operator_secrets))
  name                    = "${local.name}/${each.key}"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "generated" {
  for_each      = toset(local.generated_secrets)
  secret_id     = aws_secretsmanager_secret.app[each.key].id
  secret_string = local.secret_values[each.key]
}

resource "aws_secretsmanager_secret_version" "operator" {
  for_each      = toset(local.operator_secrets)
  secret_id     = aws_secretsmanager_secret.app[each.key].id
  secret_string = local.secret_values[each.key]

  lifecycle {
    ignore_changes = [secret_string]
  }
}

# --- Container registry, logs, IAM ------------------------------------------------------------

resource "aws_ecr_repository" "kefu" {
  name                 = local.name
  image_tag_mutability = "MUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_lifecycle_policy" "kefu" {
  repository = aws_ecr_repository.kefu.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the last 50 images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = 50
      }
      action = { type = "expire" }
    }]
  })
}

resource "aws_cloudwatch_log_group" "app" {
  for_each          = toset(["web", "worker", "scheduler", "migrate"])
  name              = "/ecs/${local.name}/${each.key}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# Used by ECS itself: pull the image, write logs, read the secrets into the environment.
resource "aws_iam_role" "execution" {
  name               = "${local.name}-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_iam_role_policy" "execution_secrets" {
  name = "read-app-secrets"
  role = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["secretsmanager:GetSecretValue"]
      Resource = [for s in aws_secretsmanager_secret.app : s.arn]
    }]
  })
}

# Used by the application: media bucket, and ECS Exec (`aws ecs execute-command`).
resource "aws_iam_role" "task" {
  name               = "${local.name}-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "task" {
  name = "kefu-app"
  role = aws_iam_role.task.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [aws_s3_bucket.media.arn]
      },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        Resource = ["${aws_s3_bucket.media.arn}/*"]
      },
      {
        Effect = "Allow"
        Action = [
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
        ]
        Resource = ["*"]
      },
    ]
  })
}

# --- ECS: one image, four task definitions (web, worker, scheduler, migrate) --------------------

locals {
  container_environment = [
    for k, v in merge({
      KEFU_ENV              = "production"
      KEFU_ROOT_DOMAIN      = var.root_domain
      KEFU_SCHEMA_POOL_SIZE = tostring(var.schema_pool_size)
      KEFU_MEDIA_BUCKET     = aws_s3_bucket.media.bucket
      SENTRY_ENVIRONMENT    = var.environment
      KEFU_EMAIL_PROVIDER   = var.email_provider
      MAILGUN_SENDER_DOMAIN = var.root_domain
    }, var.extra_environment) : { name = k, value = v }
  ]

  container_secret_names = concat(
    local.generated_secrets,
    ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "KEFU_EMAIL_HOST_PASSWORD"],
    var.email_provider == "mailgun" ? ["MAILGUN_API_KEY", "MAILGUN_WEBHOOK_SIGNING_KEY"] : [],
    var.enable_sentry ? ["SENTRY_DSN"] : [],
  )
  container_secrets = [
    for n in local.container_secret_names : { name = n, valueFrom = aws_secretsmanager_secret.app[n].arn }
  ]

  roles = {
    web = {
      cpu    = var.web_cpu
      memory = var.web_memory
      extra = {
        portMappings = [{ containerPort = 8000, protocol = "tcp" }]
        # /healthz needs a host from the Domain table: send the root domain.
        healthCheck = {
          command     = ["CMD", "python", "-c", "import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': '${var.root_domain}'}), timeout=4)"]
          interval    = 30
          timeout     = 5
          retries     = 3
          startPeriod = 30
        }
      }
    }
    worker = {
      cpu    = var.worker_cpu
      memory = var.worker_memory
      extra = {
        command = ["kefu", "rundramatiq", "--processes", "2", "--threads", "4"]
      }
    }
    # Exactly one: it only enqueues periodic jobs (SLA checks, queue draining) for the workers.
    scheduler = {
      cpu    = 256
      memory = 512
      extra = {
        command = ["kefu", "scheduler"]
      }
    }
    migrate = {
      cpu    = 512
      memory = 1024
      extra = {
        command = ["sh", "-c", "kefu migrate_schemas --noinput && kefu shell -c 'from tenants.services import platform_bootstrap; platform_bootstrap()'"]
      }
    }
  }
}

resource "aws_ecs_cluster" "main" {
  name = local.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_task_definition" "app" {
  for_each = local.roles

  family                   = "${local.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([merge({
    name        = "kefu"
    image       = local.image
    essential   = true
    environment = local.container_environment
    secrets     = local.container_secrets
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app[each.key].name
        awslogs-region        = var.region
        awslogs-stream-prefix = each.key
      }
    }
  }, each.value.extra)])
}

resource "aws_ecs_service" "web" {
  name                              = "web"
  cluster                           = aws_ecs_cluster.main.id
  task_definition                   = aws_ecs_task_definition.app["web"].arn
  desired_count                     = var.web_desired_count
  launch_type                       = "FARGATE"
  enable_execute_command            = true
  health_check_grace_period_seconds = 60

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = module.vpc.private_subnets
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.web.arn
    container_name   = "kefu"
    container_port   = 8000
  }

  depends_on = [aws_lb_listener.https]
}

resource "aws_ecs_service" "worker" {
  name                   = "worker"
  cluster                = aws_ecs_cluster.main.id
  task_definition        = aws_ecs_task_definition.app["worker"].arn
  desired_count          = var.worker_desired_count
  launch_type            = "FARGATE"
  enable_execute_command = true

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = module.vpc.private_subnets
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }
}

resource "aws_ecs_service" "scheduler" {
  name                   = "scheduler"
  cluster                = aws_ecs_cluster.main.id
  task_definition        = aws_ecs_task_definition.app["scheduler"].arn
  desired_count          = 1
  launch_type            = "FARGATE"
  enable_execute_command = true
  # Never two at once: stop the old task before starting the new one.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  network_configuration {
    subnets          = module.vpc.private_subnets
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }
}

# --- Load balancer, certificate, DNS ----------------------------------------------------------

resource "aws_acm_certificate" "main" {
  domain_name               = var.root_domain
  subject_alternative_names = ["*.${var.root_domain}"]
  validation_method         = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "cert_validation" {
  # The apex and the wildcard share one validation record, hence allow_overwrite.
  for_each = {
    for dvo in aws_acm_certificate.main.domain_validation_options : dvo.domain_name => {
      name   = dvo.resource_record_name
      type   = dvo.resource_record_type
      record = dvo.resource_record_value
    }
  }

  allow_overwrite = true
  zone_id         = var.route53_zone_id
  name            = each.value.name
  type            = each.value.type
  records         = [each.value.record]
  ttl             = 60
}

resource "aws_acm_certificate_validation" "main" {
  certificate_arn         = aws_acm_certificate.main.arn
  validation_record_fqdns = [for r in aws_route53_record.cert_validation : r.fqdn]
}

resource "aws_lb" "main" {
  name                       = local.name
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.alb.id]
  subnets                    = module.vpc.public_subnets
  drop_invalid_header_fields = true
}

resource "aws_lb_target_group" "web" {
  name                 = "${local.name}-web"
  port                 = 8000
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = module.vpc.vpc_id
  deregistration_delay = 30

  # Load balancer probes cannot set a Host header; they arrive with the task's IP, which is not a
  # workspace domain, so Django answers its "unknown host" 404 -- after looking the host up in the
  # Domain table, so a 404 still proves gunicorn and the database are up (an outage gives 5xx).
  # The container health check in the task definition probes /healthz with the real root domain.
  health_check {
    path                = "/healthz"
    matcher             = "200,404"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.main.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.main.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

resource "aws_route53_record" "app" {
  for_each = toset([var.root_domain, "*.${var.root_domain}"])

  zone_id = var.route53_zone_id
  name    = each.key
  type    = "A"

  alias {
    name                   = aws_lb.main.dns_name
    zone_id                = aws_lb.main.zone_id
    evaluate_target_health = true
  }
}
