"""TFD-DRIFT-016: Declared ECS service deleted outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-016",
    kind="drift",
    severity=Severity.CRITICAL,
    title="Declared ECS service deleted outside Terraform",
    resource_types=("aws_ecs_service",),
    docs=RuleDoc(
        what="DeleteService on a declared service.",
        why="The service stops serving; its tasks are drained (ATT&CK T1489 Service Stop).",
        example=(
            'resource "aws_ecs_service" "api" { name = "api" }\n'
            '# CloudTrail: DeleteService {"cluster": "main", "service": "api", '
            '"force": true}'
        ),
        fix="Re-create it with terraform apply and find out who deleted it.",
    ),
    remediation=(
        "Re-create with terraform apply, or remove the resource from the "
        "configuration if the deletion was intended."
    ),
    mitre=("T1489",),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
