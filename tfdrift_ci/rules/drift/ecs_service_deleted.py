"""TFD-DRIFT-016: Declared ECS service deleted outside Terraform."""

from __future__ import annotations

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import deleted
from tfdrift_ci.rules.drift._rows import SERVICE, EventRow

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


EVENTS = (EventRow(ECS, "DeleteService", (SERVICE,), deleted, security=True),)
