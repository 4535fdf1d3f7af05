"""TFD-DRIFT-027: Undeclared ECR/ECS resource created next to declared ones."""

from __future__ import annotations

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-027",
    kind="unmanaged",
    severity=Severity.MEDIUM,
    title="Undeclared ECR/ECS resource created next to declared ones",
    resource_types=(
        "aws_ecr_repository",
        "aws_ecrpublic_repository",
        "aws_ecs_cluster",
        "aws_ecs_service",
        "aws_ecs_capacity_provider",
        "aws_ecr_pull_through_cache_rule",
        "aws_ecs_task_definition",
    ),
    docs=RuleDoc(
        what=(
            "A successful Create* (or RegisterTaskDefinition of a new family) "
            "outside Terraform, for a resource of a type the project declares, in "
            "an account and region it declares resources in, that no declaration "
            "matches."
        ),
        why="Shadow resources are never reviewed, scanned by the static rules or cleaned up.",
        example=(
            "# the project declares aws_ecr_repository.api in eu-west-1\n"
            '# CloudTrail: CreateRepository {"repositoryName": "scratch"} via the '
            "console"
        ),
        fix="Declare it in Terraform (with an import block) or delete it.",
    ),
    remediation="Declare and import the resource, or delete it.",
    mitre=(),
)
