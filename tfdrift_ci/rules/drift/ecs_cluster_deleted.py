"""TFD-DRIFT-019: Declared ECS cluster deleted outside Terraform."""

from __future__ import annotations

from tfdrift_ci.events.names import ECS
from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import deleted
from tfdrift_ci.rules.drift._rows import CLUSTER, EventRow

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


EVENTS = (EventRow(ECS, "DeleteCluster", (CLUSTER,), deleted, security=True),)
