"""TFD-DRIFT-021: ECS task definition deregistered or deleted outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-021",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECS task definition deregistered or deleted outside Terraform",
    resource_types=("aws_ecs_task_definition",),
    docs=RuleDoc(
        what=(
            "DeregisterTaskDefinition / DeleteTaskDefinitions of a declared family by anyone but Terraform."
        ),
        why=(
            "Services pinned to the revision cannot start new tasks from it; "
            "Terraform plans a replacement (ATT&CK T1489)."
        ),
        example=(
            'resource "aws_ecs_task_definition" "api" { family = "api" }\n'
            '# CloudTrail: DeregisterTaskDefinition {"taskDefinition": "api:11"}'
        ),
        fix=(
            "Check which revision Terraform expects (terraform plan) and re-register it with terraform apply."
        ),
    ),
    remediation="Re-register with terraform apply.",
    mitre=("T1489",),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
