"""TFD-DRIFT-023: Tags changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-023",
    kind="drift",
    severity=Severity.LOW,
    title="Tags changed outside Terraform",
    resource_types=(
        "aws_ecr_repository",
        "aws_ecrpublic_repository",
        "aws_ecs_cluster",
        "aws_ecs_service",
        "aws_ecs_task_definition",
        "aws_ecs_capacity_provider",
    ),
    docs=RuleDoc(
        what=(
            "TagResource / UntagResource (ECR tags `Key`/`Value`, ECS "
            "`key`/`value`) on a declared resource named by its ARN, changing a tag"
            " away from its declared value."
        ),
        why=(
            "Tags drive cost allocation, ABAC permissions and automation; an ABAC "
            "tag changed by hand can grant access."
        ),
        example=(
            'resource "aws_ecr_repository" "api" {\n'
            '  tags = { team = "payments" }\n'
            "}\n"
            '# CloudTrail: TagResource {"resourceArn": '
            '"arn:aws:ecr:eu-west-1:111122223333:repository/api", "tags": [{"Key": '
            '"team", "Value": "growth"}]}'
        ),
        fix="Restore the declared tags (terraform apply) or adopt them.",
    ),
    remediation="Revert with terraform apply (tags), or adopt the tag in the .tf file.",
    mitre=(),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
