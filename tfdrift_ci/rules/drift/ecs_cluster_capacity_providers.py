"""TFD-DRIFT-018: ECS cluster capacity providers changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-018",
    kind="drift",
    severity=Severity.HIGH,
    title="ECS cluster capacity providers changed outside Terraform",
    resource_types=(
        "aws_ecs_cluster_capacity_providers",
        "aws_ecs_cluster",
    ),
    docs=RuleDoc(
        what=(
            "PutClusterCapacityProviders on a cluster whose capacity providers "
            "Terraform declares (`aws_ecs_cluster_capacity_providers`, or inline on"
            " older `aws_ecs_cluster`)."
        ),
        why=(
            "The default strategy decides where every service without its own strategy runs (ATT&CK T1578)."
        ),
        example=(
            'resource "aws_ecs_cluster_capacity_providers" "main" {\n'
            '  cluster_name       = "main"\n'
            '  capacity_providers = ["FARGATE"]\n'
            "}\n"
            '# CloudTrail: PutClusterCapacityProviders {"capacityProviders": '
            '["FARGATE", "FARGATE_SPOT"]}'
        ),
        fix="Restore the declared capacity providers (terraform apply).",
    ),
    remediation=(
        "Revert with terraform apply (capacity_providers / "
        "default_capacity_provider_strategy), or adopt the change in the .tf "
        "file."
    ),
    mitre=("T1578",),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
