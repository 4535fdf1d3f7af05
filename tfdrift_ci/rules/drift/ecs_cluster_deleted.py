"""TFD-DRIFT-019: Declared ECS cluster deleted outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-019",
    kind="drift",
    severity=Severity.CRITICAL,
    title="Declared ECS cluster deleted outside Terraform",
    resource_types=("aws_ecs_cluster",),
    docs=RuleDoc(
        what=("DeleteCluster (eventSource ecs.amazonaws.com, not EKS or Redshift) on a declared cluster."),
        why="Every service in it is gone (ATT&CK T1485, T1489).",
        example=(
            'resource "aws_ecs_cluster" "main" { name = "main" }\n'
            '# CloudTrail: DeleteCluster {"cluster": "main"}'
        ),
        fix="Re-create it with terraform apply and find out who deleted it.",
    ),
    remediation=(
        "Re-create with terraform apply, or remove the resource from the "
        "configuration if the deletion was intended."
    ),
    mitre=(
        "T1485",
        "T1489",
    ),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
