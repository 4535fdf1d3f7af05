locals {
  app_image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:3f9c2e1"
}

resource "aws_ecs_cluster" "main" {
  name = "main"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_task_definition" "api" {
  family                   = "api"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 512
  memory                   = 1024
  execution_role_arn       = "arn:aws:iam::111122223333:role/api-task-execution"
  task_role_arn            = "arn:aws:iam::111122223333:role/api-task"

  container_definitions = jsonencode([
    {
      name      = "api"
      image     = local.app_image
      essential = true
      portMappings = [
        { containerPort = 8080, protocol = "tcp" }
      ]
      environment = [
        { name = "APP_ENV", value = "production" },
        # Unsafe on purpose: a plaintext secret (use secrets + valueFrom instead).
        { name = "DB_PASSWORD", value = "hunter2-prod" },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = "/ecs/api"
          awslogs-region        = "eu-west-1"
          awslogs-stream-prefix = "api"
        }
      }
    }
  ])
}

# Scaled by hand through Terraform: desired_count is NOT under ignore_changes, so a manual
# scale is drift.
resource "aws_ecs_service" "api" {
  name                   = "api"
  cluster                = aws_ecs_cluster.main.id
  task_definition        = aws_ecs_task_definition.api.arn
  desired_count          = 2
  launch_type            = "FARGATE"
  enable_execute_command = false

  network_configuration {
    subnets          = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a60918"]
    security_groups  = ["sg-0123456789abcdef0"]
    assign_public_ip = false
  }
}

# Scaled by Application Auto Scaling: desired_count is under ignore_changes, as the Terraform
# docs recommend, so autoscaling's UpdateService calls are not drift.
resource "aws_ecs_service" "worker" {
  name            = "worker"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.api.arn
  desired_count   = 1
  launch_type     = "FARGATE"

  network_configuration {
    subnets          = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a60918"]
    security_groups  = ["sg-0123456789abcdef0"]
    assign_public_ip = false
  }

  lifecycle {
    ignore_changes = [desired_count]
  }
}

resource "aws_appautoscaling_target" "worker" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.worker.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = 1
  max_capacity       = 10
}
