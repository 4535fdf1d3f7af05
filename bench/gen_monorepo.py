"""Generate a Terraform monorepo: N ``.tf`` files (default 2,000, ~60k lines).

Layout, like a real platform monorepo:

    modules/<kind>[_vN]/{main,variables,outputs,versions,iam,…}.tf    local modules (ECS service with
                                                                     jsonencode container definitions
                                                                     and dynamic blocks, ECR repos with
                                                                     for_each, VPC, S3, IAM, RDS …)
    live/<team>/<env>/<stack>/{providers,variables,locals,main,…}.tf roots calling ../../../../modules/*
                                                                     and declaring their own resources

ECR/ECS resources appear throughout (module internals, direct resources in ~40% of the roots, for_each
over maps of repositories), among many more VPC/IAM/S3/RDS/Lambda/CloudWatch resources. Deterministic:
the same seed and N give the same tree.

    python bench/gen_monorepo.py [--files N] [--out DIR] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path

TEAMS = (
    "payments",
    "search",
    "checkout",
    "identity",
    "catalog",
    "ledger",
    "ml",
    "web",
    "edge",
    "data",
    "growth",
    "risk",
    "ads",
    "mobile",
    "infra",
    "observability",
)
ENVS = ("dev", "staging", "prod")
STACKS = ("app", "worker", "api", "batch", "frontend", "stream", "cron", "gateway")

# --------------------------------------------------------------------------------------------------
# Local modules (each a function rng -> {filename: text})


def _vars(spec: list[tuple[str, str, str | None, str]]) -> str:
    out = []
    for name, typ, default, desc in spec:
        body = f'  description = "{desc}"\n  type        = {typ}\n'
        if default is not None:
            body += f"  default     = {default}\n"
        out.append(f'variable "{name}" {{\n{body}}}\n')
    return "\n".join(out)


def mod_ecs_service(rng: random.Random, v: int) -> dict[str, str]:
    main = f"""locals {{
  container_name = coalesce(var.container_name, var.name)
  log_group      = "/ecs/${{var.cluster_name}}/${{var.name}}"
  common_env = [
    {{ name = "SERVICE_NAME", value = var.name }},
    {{ name = "ENVIRONMENT", value = var.environment }},
    {{ name = "AWS_REGION", value = var.region }},
  ]
  environment = concat(local.common_env, [for k, v in var.environment_variables : {{ name = k, value = v }}])
  secrets     = [for k, arn in var.secrets : {{ name = k, valueFrom = arn }}]
}}

resource "aws_cloudwatch_log_group" "this" {{
  name              = local.log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}}

resource "aws_ecs_task_definition" "this" {{
  family                   = "${{var.cluster_name}}-${{var.name}}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  container_definitions = jsonencode([
    {{
      name         = local.container_name
      image        = "${{var.image_repository_url}}:${{var.image_tag}}"
      cpu          = var.cpu
      memory       = var.memory
      essential    = true
      privileged   = {str(v == 3).lower()}
      readonlyRootFilesystem = true
      environment  = local.environment
      secrets      = local.secrets
      portMappings = [{{ containerPort = var.container_port, hostPort = var.container_port, protocol = "tcp" }}]
      logConfiguration = {{
        logDriver = "awslogs"
        options = {{
          awslogs-group         = local.log_group
          awslogs-region        = var.region
          awslogs-stream-prefix = "ecs"
        }}
      }}
      healthCheck = {{
        command  = ["CMD-SHELL", "curl -f http://localhost:${{var.container_port}}/health || exit 1"]
        interval = 30
        retries  = 3
      }}
    }}
  ])

  runtime_platform {{
    operating_system_family = "LINUX"
    cpu_architecture        = var.arm64 ? "ARM64" : "X86_64"
  }}

  dynamic "volume" {{
    for_each = var.efs_volumes
    content {{
      name = volume.key
      efs_volume_configuration {{
        file_system_id     = volume.value.file_system_id
        transit_encryption = "ENABLED"
      }}
    }}
  }}

  tags = var.tags
}}

resource "aws_ecs_service" "this" {{
  name                               = var.name
  cluster                            = var.cluster_arn
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.desired_count
  launch_type                        = "FARGATE"
  enable_execute_command             = var.enable_execute_command
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  propagate_tags                     = "SERVICE"

  network_configuration {{
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.service.id]
    assign_public_ip = false
  }}

  dynamic "load_balancer" {{
    for_each = var.target_group_arn == null ? [] : [var.target_group_arn]
    content {{
      target_group_arn = load_balancer.value
      container_name   = local.container_name
      container_port   = var.container_port
    }}
  }}

  deployment_circuit_breaker {{
    enable   = true
    rollback = true
  }}

  lifecycle {{
    ignore_changes = [desired_count]
  }}

  tags = var.tags
}}
"""
    sg = """resource "aws_security_group" "service" {
  name_prefix = "${var.name}-svc-"
  description = "ECS service ${var.name}"
  vpc_id      = var.vpc_id

  ingress {
    from_port       = var.container_port
    to_port         = var.container_port
    protocol        = "tcp"
    security_groups = var.ingress_security_group_ids
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  lifecycle {
    create_before_destroy = true
  }
}
"""
    autoscaling = """resource "aws_appautoscaling_target" "this" {
  count              = var.autoscaling_max > var.desired_count ? 1 : 0
  service_namespace  = "ecs"
  resource_id        = "service/${var.cluster_name}/${aws_ecs_service.this.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.desired_count
  max_capacity       = var.autoscaling_max
}

resource "aws_appautoscaling_policy" "cpu" {
  count              = length(aws_appautoscaling_target.this)
  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = "ecs"
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
"""
    iam = """data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name_prefix        = "${var.name}-exec-"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_iam_role" "task" {
  name_prefix        = "${var.name}-task-"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "task" {
  count  = var.task_policy_json == null ? 0 : 1
  role   = aws_iam_role.task.id
  policy = var.task_policy_json
}
"""
    variables = _vars(
        [
            ("name", "string", None, "Service name"),
            ("cluster_name", "string", None, "ECS cluster name"),
            ("cluster_arn", "string", None, "ECS cluster ARN"),
            ("environment", "string", None, "Environment name"),
            ("region", "string", '"us-east-1"', "AWS region"),
            ("container_name", "string", "null", "Container name (defaults to the service name)"),
            ("container_port", "number", "8080", "Container port"),
            ("image_repository_url", "string", None, "ECR repository URL"),
            ("image_tag", "string", '"latest"', "Image tag"),
            ("cpu", "number", "256", "Task CPU units"),
            ("memory", "number", "512", "Task memory (MiB)"),
            ("arm64", "bool", "false", "Run on Graviton"),
            ("desired_count", "number", "2", "Desired tasks"),
            ("autoscaling_max", "number", "6", "Autoscaling maximum"),
            ("enable_execute_command", "bool", "false", "ECS Exec"),
            ("environment_variables", "map(string)", "{}", "Plain environment"),
            ("secrets", "map(string)", "{}", "Secrets Manager / SSM ARNs by variable name"),
            ("efs_volumes", "map(object({ file_system_id = string }))", "{}", "EFS volumes"),
            ("subnet_ids", "list(string)", None, "Private subnets"),
            ("vpc_id", "string", None, "VPC id"),
            ("ingress_security_group_ids", "list(string)", "[]", "Who may reach the service"),
            ("target_group_arn", "string", "null", "ALB target group"),
            ("log_retention_days", "number", "30", "Log retention"),
            ("kms_key_arn", "string", "null", "KMS key for logs"),
            ("task_policy_json", "string", "null", "Inline task role policy"),
            ("tags", "map(string)", "{}", "Tags"),
        ]
    )
    outputs = """output "service_name" {
  value = aws_ecs_service.this.name
}

output "task_definition_arn" {
  value = aws_ecs_task_definition.this.arn
}

output "task_role_arn" {
  value = aws_iam_role.task.arn
}

output "security_group_id" {
  value = aws_security_group.service.id
}
"""
    return {
        "main.tf": main,
        "security.tf": sg,
        "autoscaling.tf": autoscaling,
        "iam.tf": iam,
        "variables.tf": variables,
        "outputs.tf": outputs,
        "versions.tf": _versions(),
    }


def mod_ecr(rng: random.Random, v: int) -> dict[str, str]:
    mut = '"IMMUTABLE"' if v != 2 else '"MUTABLE"'
    main = f"""resource "aws_ecr_repository" "this" {{
  for_each             = var.repositories
  name                 = "${{var.prefix}}/${{each.key}}"
  image_tag_mutability = lookup(each.value, "mutable", false) ? "MUTABLE" : {mut}
  force_delete         = false

  image_scanning_configuration {{
    scan_on_push = lookup(each.value, "scan_on_push", true)
  }}

  dynamic "encryption_configuration" {{
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {{
      encryption_type = "KMS"
      kms_key         = encryption_configuration.value
    }}
  }}

  tags = merge(var.tags, {{ Repository = each.key }})
}}

resource "aws_ecr_lifecycle_policy" "this" {{
  for_each   = aws_ecr_repository.this
  repository = each.value.name
  policy = jsonencode({{
    rules = [
      {{
        rulePriority = 1
        description  = "expire untagged"
        selection = {{
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.untagged_days
        }}
        action = {{ type = "expire" }}
      }},
      {{
        rulePriority = 2
        description  = "keep last ${{var.keep_images}}"
        selection = {{
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.keep_images
        }}
        action = {{ type = "expire" }}
      }}
    ]
  }})
}}

resource "aws_ecr_repository_policy" "pull" {{
  for_each   = length(var.pull_account_ids) > 0 ? aws_ecr_repository.this : {{}}
  repository = each.value.name
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Sid       = "CrossAccountPull"
      Effect    = "Allow"
      Principal = {{ AWS = [for id in var.pull_account_ids : "arn:aws:iam::${{id}}:root"] }}
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    }}]
  }})
}}
"""
    variables = _vars(
        [
            ("prefix", "string", None, "Repository name prefix (team)"),
            (
                "repositories",
                "map(object({ mutable = optional(bool), scan_on_push = optional(bool) }))",
                None,
                "Repositories",
            ),
            ("kms_key_arn", "string", "null", "KMS key"),
            ("untagged_days", "number", "14", "Days before untagged images expire"),
            ("keep_images", "number", "50", "Tagged images kept"),
            ("pull_account_ids", "list(string)", "[]", "Accounts allowed to pull"),
            ("tags", "map(string)", "{}", "Tags"),
        ]
    )
    outputs = """output "repository_urls" {
  value = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "repository_arns" {
  value = { for k, r in aws_ecr_repository.this : k => r.arn }
}
"""
    return {"main.tf": main, "variables.tf": variables, "outputs.tf": outputs, "versions.tf": _versions()}


def mod_ecs_cluster(rng: random.Random, v: int) -> dict[str, str]:
    main = """resource "aws_kms_key" "exec" {
  description         = "ECS Exec session encryption for ${var.name}"
  enable_key_rotation = true
}

resource "aws_cloudwatch_log_group" "exec" {
  name              = "/ecs/${var.name}/exec"
  retention_in_days = 90
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = var.container_insights ? "enabled" : "disabled"
  }

  configuration {
    execute_command_configuration {
      kms_key_id = aws_kms_key.exec.arn
      logging    = "OVERRIDE"
      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.exec.name
      }
    }
  }

  tags = var.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  dynamic "default_capacity_provider_strategy" {
    for_each = var.capacity_weights
    content {
      capacity_provider = default_capacity_provider_strategy.key
      weight            = default_capacity_provider_strategy.value
    }
  }
}
"""
    variables = _vars(
        [
            ("name", "string", None, "Cluster name"),
            ("container_insights", "bool", "true", "Container Insights"),
            (
                "capacity_weights",
                "map(number)",
                "{ FARGATE = 1, FARGATE_SPOT = 3 }",
                "Capacity provider weights",
            ),
            ("tags", "map(string)", "{}", "Tags"),
        ]
    )
    outputs = 'output "arn" {\n  value = aws_ecs_cluster.this.arn\n}\n\noutput "name" {\n  value = aws_ecs_cluster.this.name\n}\n'
    return {"main.tf": main, "variables.tf": variables, "outputs.tf": outputs, "versions.tf": _versions()}


def mod_vpc(rng: random.Random, v: int) -> dict[str, str]:
    main = """data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  azs = slice(data.aws_availability_zones.available.names, 0, var.az_count)
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr
  enable_dns_hostnames = true
  enable_dns_support   = true
  tags                 = merge(var.tags, { Name = var.name })
}

resource "aws_subnet" "private" {
  count             = var.az_count
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 4, count.index)
  availability_zone = local.azs[count.index]
  tags              = merge(var.tags, { Name = "${var.name}-private-${count.index}", Tier = "private" })
}

resource "aws_subnet" "public" {
  count                   = var.az_count
  vpc_id                  = aws_vpc.this.id
  cidr_block              = cidrsubnet(var.cidr, 4, count.index + 8)
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = false
  tags                    = merge(var.tags, { Name = "${var.name}-public-${count.index}", Tier = "public" })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = var.tags
}

resource "aws_eip" "nat" {
  count  = var.single_nat ? 1 : var.az_count
  domain = "vpc"
}

resource "aws_nat_gateway" "this" {
  count         = length(aws_eip.nat)
  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
  tags          = var.tags
}
"""
    routes = """resource "aws_route_table" "private" {
  count  = var.az_count
  vpc_id = aws_vpc.this.id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.this[var.single_nat ? 0 : count.index].id
  }

  tags = var.tags
}

resource "aws_route_table_association" "private" {
  count          = var.az_count
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

resource "aws_flow_log" "this" {
  vpc_id          = aws_vpc.this.id
  traffic_type    = "ALL"
  log_destination = var.flow_log_bucket_arn
  log_destination_type = "s3"
}
"""
    variables = _vars(
        [
            ("name", "string", None, "VPC name"),
            ("cidr", "string", '"10.0.0.0/16"', "CIDR"),
            ("az_count", "number", "3", "AZs"),
            ("single_nat", "bool", "false", "One NAT gateway"),
            ("flow_log_bucket_arn", "string", None, "Flow log bucket"),
            ("tags", "map(string)", "{}", "Tags"),
        ]
    )
    outputs = 'output "vpc_id" {\n  value = aws_vpc.this.id\n}\n\noutput "private_subnet_ids" {\n  value = aws_subnet.private[*].id\n}\n'
    return {
        "main.tf": main,
        "routes.tf": routes,
        "variables.tf": variables,
        "outputs.tf": outputs,
        "versions.tf": _versions(),
    }


def mod_s3(rng: random.Random, v: int) -> dict[str, str]:
    main = """resource "aws_s3_bucket" "this" {
  bucket        = var.name
  force_destroy = false
  tags          = var.tags
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = var.versioning ? "Enabled" : "Suspended"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    id     = "expire"
    status = "Enabled"
    filter {}
    expiration {
      days = var.expire_days
    }
  }
}
"""
    variables = _vars(
        [
            ("name", "string", None, "Bucket"),
            ("versioning", "bool", "true", "Versioning"),
            ("kms_key_arn", "string", "null", "KMS"),
            ("expire_days", "number", "365", "Expiry"),
            ("tags", "map(string)", "{}", "Tags"),
        ]
    )
    outputs = 'output "arn" {\n  value = aws_s3_bucket.this.arn\n}\n\noutput "id" {\n  value = aws_s3_bucket.this.id\n}\n'
    return {"main.tf": main, "variables.tf": variables, "outputs.tf": outputs, "versions.tf": _versions()}


def mod_rds(rng: random.Random, v: int) -> dict[str, str]:
    main = """resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_rds_cluster" "this" {
  cluster_identifier      = var.name
  engine                  = "aurora-postgresql"
  engine_version          = var.engine_version
  database_name           = replace(var.name, "-", "_")
  master_username         = "app"
  manage_master_user_password = true
  db_subnet_group_name    = aws_db_subnet_group.this.name
  storage_encrypted       = true
  backup_retention_period = var.backup_days
  deletion_protection     = true
  skip_final_snapshot     = false
  final_snapshot_identifier = "${var.name}-final"
}

resource "aws_rds_cluster_instance" "this" {
  count              = var.instances
  identifier         = "${var.name}-${count.index}"
  cluster_identifier = aws_rds_cluster.this.id
  instance_class     = var.instance_class
  engine             = aws_rds_cluster.this.engine
}
"""
    variables = _vars(
        [
            ("name", "string", None, "Cluster"),
            ("engine_version", "string", '"15.4"', "Engine"),
            ("subnet_ids", "list(string)", None, "Subnets"),
            ("backup_days", "number", "7", "Backups"),
            ("instances", "number", "2", "Instances"),
            ("instance_class", "string", '"db.r6g.large"', "Class"),
        ]
    )
    return {
        "main.tf": main,
        "variables.tf": variables,
        "versions.tf": _versions(),
        "outputs.tf": 'output "endpoint" {\n  value = aws_rds_cluster.this.endpoint\n}\n',
    }


def mod_lambda(rng: random.Random, v: int) -> dict[str, str]:
    main = """data "archive_file" "this" {
  type        = "zip"
  source_dir  = var.source_dir
  output_path = "${path.module}/build/${var.name}.zip"
}

resource "aws_iam_role" "this" {
  name = "${var.name}-lambda"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_lambda_function" "this" {
  function_name    = var.name
  role             = aws_iam_role.this.arn
  handler          = var.handler
  runtime          = "python3.12"
  filename         = data.archive_file.this.output_path
  source_code_hash = data.archive_file.this.output_base64sha256
  timeout          = var.timeout
  memory_size      = 256

  environment {
    variables = var.environment
  }

  tracing_config {
    mode = "Active"
  }
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = 14
}
"""
    variables = _vars(
        [
            ("name", "string", None, "Function"),
            ("source_dir", "string", None, "Source"),
            ("handler", "string", '"app.handler"', "Handler"),
            ("timeout", "number", "30", "Timeout"),
            ("environment", "map(string)", "{}", "Environment"),
        ]
    )
    return {"main.tf": main, "variables.tf": variables, "versions.tf": _versions()}


MODULE_KINDS: dict[str, Callable[[random.Random, int], dict[str, str]]] = {
    "ecs_service": mod_ecs_service,
    "ecr_repositories": mod_ecr,
    "ecs_cluster": mod_ecs_cluster,
    "vpc": mod_vpc,
    "s3_bucket": mod_s3,
    "aurora": mod_rds,
    "lambda": mod_lambda,
}


def _versions() -> str:
    return """terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}
"""


# --------------------------------------------------------------------------------------------------
# Roots


def root_files(
    rng: random.Random, team: str, env: str, stack: str, depth: str, mods: dict[str, list[str]]
) -> dict[str, str]:
    name = f"{team}-{stack}-{env}"
    region = rng.choice(("us-east-1", "eu-west-1", "us-west-2"))
    files: dict[str, str] = {}
    files["providers.tf"] = f'''terraform {{
  required_version = ">= 1.5"
  backend "s3" {{
    bucket         = "acme-terraform-state"
    key            = "{team}/{env}/{stack}/terraform.tfstate"
    region         = "us-east-1"
    dynamodb_table = "terraform-locks"
    encrypt        = true
  }}
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }}
  }}
}}

provider "aws" {{
  region = var.region
  default_tags {{
    tags = local.tags
  }}
}}
'''
    files["variables.tf"] = _vars(
        [
            ("region", "string", f'"{region}"', "Region"),
            ("environment", "string", f'"{env}"', "Environment"),
            ("team", "string", f'"{team}"', "Owning team"),
            ("image_tag", "string", '"1.0.0"', "Release tag"),
            ("desired_count", "number", str(rng.choice((1, 2, 3, 4))), "Tasks per service"),
            ("vpc_cidr", "string", f'"10.{rng.randrange(256)}.0.0/16"', "VPC CIDR"),
        ]
    )
    services = [
        f"{stack}-{s}"
        for s in rng.sample(("api", "worker", "web", "consumer", "scheduler", "admin"), rng.randrange(1, 4))
    ]
    files["locals.tf"] = f'''locals {{
  name = "${{var.team}}-{stack}-${{var.environment}}"
  tags = {{
    Team        = var.team
    Environment = var.environment
    Stack       = "{stack}"
    ManagedBy   = "terraform"
    CostCenter  = "{rng.randrange(1000, 9999)}"
  }}
  services = {{
{chr(10).join(f'    "{s}" = {{ port = {8000 + i}, cpu = {rng.choice((256, 512, 1024))}, memory = {rng.choice((512, 1024, 2048))} }}' for i, s in enumerate(services))}
  }}
  is_prod = var.environment == "prod"
}}
'''
    mod = lambda kind: rng.choice(mods[kind])  # noqa: E731
    main = [
        f'''module "vpc" {{
  source              = "{depth}/modules/{mod("vpc")}"
  name                = local.name
  cidr                = var.vpc_cidr
  az_count            = local.is_prod ? 3 : 2
  single_nat          = !local.is_prod
  flow_log_bucket_arn = module.logs.arn
  tags                = local.tags
}}

module "logs" {{
  source = "{depth}/modules/{mod("s3_bucket")}"
  name   = "${{local.name}}-logs"
  tags   = local.tags
}}

module "cluster" {{
  source             = "{depth}/modules/{mod("ecs_cluster")}"
  name               = local.name
  container_insights = local.is_prod
  tags               = local.tags
}}

module "repos" {{
  source       = "{depth}/modules/{mod("ecr_repositories")}"
  prefix       = var.team
  repositories = {{ for s in keys(local.services) : s => {{ scan_on_push = true }} }}
  tags         = local.tags
}}
'''
    ]
    main.append(f'''module "services" {{
  source   = "{depth}/modules/{mod("ecs_service")}"
  for_each = local.services

  name                 = each.key
  cluster_name         = module.cluster.name
  cluster_arn          = module.cluster.arn
  environment          = var.environment
  region               = var.region
  image_repository_url = module.repos.repository_urls[each.key]
  image_tag            = var.image_tag
  container_port       = each.value.port
  cpu                  = each.value.cpu
  memory               = each.value.memory
  desired_count        = var.desired_count
  subnet_ids           = module.vpc.private_subnet_ids
  vpc_id               = module.vpc.vpc_id
  environment_variables = {{
    FEATURE_FLAGS = "on"
    UPSTREAM_URL  = "https://{stack}.internal.example.com"
  }}
  tags = local.tags
}}
''')
    files["main.tf"] = "\n".join(main)
    files["outputs.tf"] = """output "cluster_arn" {
  value = module.cluster.arn
}

output "vpc_id" {
  value = module.vpc.vpc_id
}
"""
    # Extra resource files: most roots are mostly not ECR/ECS
    extras = ["iam.tf", "monitoring.tf", "data.tf", "dns.tf", "sqs.tf", "alb.tf", "secrets.tf", "waf.tf"]
    for f in extras:
        files[f] = EXTRA[f](rng, name)
    if rng.random() < 0.4:
        files["ecs.tf"] = ecs_direct(rng, name)
    if rng.random() < 0.2:
        files["db.tf"] = f'''module "db" {{
  source     = "{depth}/modules/{mod("aurora")}"
  name       = "${{local.name}}-db"
  subnet_ids = module.vpc.private_subnet_ids
}}
'''
    return files


def ecs_direct(rng: random.Random, name: str) -> str:
    bad = rng.random() < 0.3
    return f'''# Side-car jobs defined directly in the root
resource "aws_ecr_repository" "jobs" {{
  for_each             = toset(["migrate", "backfill", "report"])
  name                 = "${{var.team}}/${{each.key}}"
  image_tag_mutability = "{"MUTABLE" if bad else "IMMUTABLE"}"

  image_scanning_configuration {{
    scan_on_push = {str(not bad).lower()}
  }}
}}

resource "aws_ecs_task_definition" "job" {{
  for_each                 = aws_ecr_repository.jobs
  family                   = "${{local.name}}-${{each.key}}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "512"
  memory                   = "1024"

  container_definitions = jsonencode([{{
    name      = each.key
    image     = "${{each.value.repository_url}}:${{var.image_tag}}"
    essential = true
    command   = ["/app/${{each.key}}", "--env", var.environment]
    environment = [
      {{ name = "DB_HOST", value = "db.internal" }},
      {{ name = "DB_PASSWORD", value = "{"hunter2-plaintext" if bad else ""}" }},
    ]
    logConfiguration = {{
      logDriver = "awslogs"
      options   = {{ awslogs-group = "/ecs/{name}/jobs", awslogs-region = var.region, awslogs-stream-prefix = each.key }}
    }}
  }}])
}}

resource "aws_ecs_service" "jobs_runner" {{
  name                   = "${{local.name}}-jobs"
  cluster                = module.cluster.arn
  task_definition        = aws_ecs_task_definition.job["migrate"].arn
  desired_count          = 0
  enable_execute_command = {str(bad).lower()}

  network_configuration {{
    subnets          = module.vpc.private_subnet_ids
    assign_public_ip = {str(bad).lower()}
  }}
}}
'''


def _iam(rng: random.Random, name: str) -> str:
    stmts = "\n".join(
        f"""  statement {{
    sid       = "S{i}"
    effect    = "Allow"
    actions   = {rng.choice(('["s3:GetObject", "s3:PutObject"]', '["sqs:SendMessage"]', '["dynamodb:GetItem", "dynamodb:Query"]', '["kms:Decrypt"]'))}
    resources = ["arn:aws:s3:::{name}-{i}/*"]
  }}"""
        for i in range(rng.randrange(3, 7))
    )
    return f'''data "aws_iam_policy_document" "app" {{
{stmts}
}}

resource "aws_iam_policy" "app" {{
  name   = "{name}-app"
  policy = data.aws_iam_policy_document.app.json
}}

resource "aws_iam_role" "ci" {{
  name = "{name}-ci"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }}
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {{ StringLike = {{ "token.actions.githubusercontent.com:sub" = "repo:acme/{name}:*" }} }}
    }}]
  }})
}}

resource "aws_iam_role_policy_attachment" "ci" {{
  role       = aws_iam_role.ci.name
  policy_arn = aws_iam_policy.app.arn
}}
'''


def _monitoring(rng: random.Random, name: str) -> str:
    alarms = "\n".join(
        f'''resource "aws_cloudwatch_metric_alarm" "{m.lower()}" {{
  alarm_name          = "{name}-{m.lower()}"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = {rng.randrange(1, 5)}
  metric_name         = "{m}"
  namespace           = "AWS/ECS"
  period              = 60
  statistic           = "Average"
  threshold           = {rng.randrange(50, 95)}
  alarm_actions       = [aws_sns_topic.alerts.arn]
  dimensions = {{
    ClusterName = module.cluster.name
  }}
}}
'''
        for m in rng.sample(
            (
                "CPUUtilization",
                "MemoryUtilization",
                "RunningTaskCount",
                "Latency",
                "HTTPCode_Target_5XX_Count",
            ),
            4,
        )
    )
    return f'''resource "aws_sns_topic" "alerts" {{
  name              = "{name}-alerts"
  kms_master_key_id = "alias/aws/sns"
}}

{alarms}'''


def _data(rng: random.Random, name: str) -> str:
    return """data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_route53_zone" "internal" {
  name         = "internal.example.com"
  private_zone = true
}
"""


def _dns(rng: random.Random, name: str) -> str:
    return f'''resource "aws_route53_record" "app" {{
  zone_id = data.aws_route53_zone.internal.zone_id
  name    = "{name}.internal.example.com"
  type    = "A"

  alias {{
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }}
}}
'''


def _sqs(rng: random.Random, name: str) -> str:
    return f'''resource "aws_sqs_queue" "dlq" {{
  name                      = "{name}-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}}

resource "aws_sqs_queue" "work" {{
  name                       = "{name}-work"
  visibility_timeout_seconds = {rng.choice((30, 60, 300))}
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({{
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = 5
  }})
}}
'''


def _alb(rng: random.Random, name: str) -> str:
    return f'''resource "aws_lb" "this" {{
  name               = substr("{name}", 0, 32)
  internal           = true
  load_balancer_type = "application"
  subnets            = module.vpc.private_subnet_ids
  drop_invalid_header_fields = true

  access_logs {{
    bucket  = module.logs.id
    enabled = true
  }}
}}

resource "aws_lb_target_group" "app" {{
  name        = substr("{name}-tg", 0, 32)
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = module.vpc.vpc_id

  health_check {{
    path    = "/health"
    matcher = "200"
  }}
}}

resource "aws_lb_listener" "https" {{
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/{rng.getrandbits(64):016x}"

  default_action {{
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }}
}}
'''


def _secrets(rng: random.Random, name: str) -> str:
    return f'''resource "aws_secretsmanager_secret" "app" {{
  name                    = "{name}/app"
  recovery_window_in_days = 7
}}

resource "aws_ssm_parameter" "config" {{
  name  = "/{name}/config"
  type  = "String"
  value = jsonencode({{ log_level = "info", feature_x = {str(rng.random() < 0.5).lower()} }})
}}
'''


def _waf(rng: random.Random, name: str) -> str:
    return f'''resource "aws_wafv2_web_acl" "this" {{
  name  = "{name}"
  scope = "REGIONAL"

  default_action {{
    allow {{}}
  }}

  rule {{
    name     = "common"
    priority = 1
    override_action {{
      none {{}}
    }}
    statement {{
      managed_rule_group_statement {{
        name        = "AWSManagedRulesCommonRuleSet"
        vendor_name = "AWS"
      }}
    }}
    visibility_config {{
      cloudwatch_metrics_enabled = true
      metric_name                = "common"
      sampled_requests_enabled   = true
    }}
  }}

  visibility_config {{
    cloudwatch_metrics_enabled = true
    metric_name                = "{name}"
    sampled_requests_enabled   = true
  }}
}}
'''


EXTRA: dict[str, Callable[[random.Random, str], str]] = {
    "iam.tf": _iam,
    "monitoring.tf": _monitoring,
    "data.tf": _data,
    "dns.tf": _dns,
    "sqs.tf": _sqs,
    "alb.tf": _alb,
    "secrets.tf": _secrets,
    "waf.tf": _waf,
}


# --------------------------------------------------------------------------------------------------


def generate(out: Path, files: int = 2000, seed: int = 5) -> tuple[int, int]:
    """Write the tree (replacing ``out``). Returns (files, lines)."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    written: dict[Path, str] = {}
    # modules: ~8% of the files, at least one variant per kind
    mods: dict[str, list[str]] = {}
    module_budget = max(len(MODULE_KINDS) * 4, files * 8 // 100)
    n_mod_files = 0
    v = 0
    while n_mod_files < module_budget:
        for kind, fn in MODULE_KINDS.items():
            dirname = kind if v == 0 else f"{kind}_v{v + 1}"
            for fname, text in fn(rng, v + 1).items():
                written[out / "modules" / dirname / fname] = text
                n_mod_files += 1
            mods.setdefault(kind, []).append(dirname)
            if n_mod_files >= module_budget:
                break
        v += 1
    for kind in MODULE_KINDS:  # every kind present even in tiny trees
        if kind not in mods:
            for fname, text in MODULE_KINDS[kind](rng, 1).items():
                written[out / "modules" / kind / fname] = text
            mods[kind] = [kind]
    i = 0
    while len(written) < files:
        team = TEAMS[i % len(TEAMS)]
        env = ENVS[(i // len(TEAMS)) % len(ENVS)]
        stack = STACKS[(i // (len(TEAMS) * len(ENVS))) % len(STACKS)]
        gen = i // (len(TEAMS) * len(ENVS) * len(STACKS))
        if gen:
            stack = f"{stack}{gen + 1}"
        root = out / "live" / team / env / stack
        for fname, text in root_files(rng, team, env, stack, "../../../..", mods).items():
            if len(written) >= files:
                break
            written[root / fname] = text
        i += 1
    lines = 0
    for path, text in written.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        lines += text.count("\n")
    return len(written), lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "monorepo")
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    t0 = time.perf_counter()
    n, lines = generate(a.out, a.files, a.seed)
    print(f"wrote {n} .tf files, {lines} lines under {a.out} in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
