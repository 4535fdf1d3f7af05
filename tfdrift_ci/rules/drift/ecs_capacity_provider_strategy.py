"""TFD-DRIFT-014: ECS service capacity provider strategy or launch type changed outside Terraform."""

from __future__ import annotations

from typing import Any

from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc

RULE = Rule(
    id="TFD-DRIFT-014",
    kind="drift",
    severity=Severity.HIGH,
    title="ECS service capacity provider strategy or launch type changed outside Terraform",
    resource_types=("aws_ecs_service",),
    docs=RuleDoc(
        what=(
            "UpdateService / CreateService changing `capacityProviderStrategy` "
            "(UpdateService has no launchType member, so a launch-type move shows "
            "up here) of a declared service."
        ),
        why=(
            "Tasks move to other compute (e.g. EC2 instances with other roles and "
            "hardening, or Spot) than the reviewed configuration (ATT&CK T1578)."
        ),
        example=(
            'resource "aws_ecs_service" "api" {\n'
            '  capacity_provider_strategy { capacity_provider = "FARGATE" weight = '
            "1 }\n"
            "}\n"
            '# CloudTrail: UpdateService {"capacityProviderStrategy": '
            '[{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}'
        ),
        fix="Restore the declared strategy (terraform apply).",
    ),
    remediation=(
        "Revert with terraform apply (capacity_provider_strategy), or adopt the change in the .tf file."
    ),
    mitre=("T1578",),
)


def grade(attribute: str | None, old: Any, new: Any, op: str) -> Severity | None:
    """The rule's default severity for every change. None keeps the default."""
    return None
